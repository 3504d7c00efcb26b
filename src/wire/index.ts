/** The wire contract: every JSON shape the API sends, written once (TypeBox schemas and their types). */
export * from './ApiKey.js';
export * from './Asset.js';
export * from './Client.js';
export * from './Deleted.js';
export * from './Endpoint.js';
export * from './ErrorBody.js';
export * from './Message.js';
export * from './Model.js';
export * from './Task.js';
export * from './limits.js';
export * from './Listen.js';
export * from './requests.js';
