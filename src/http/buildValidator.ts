import AjvCompiler from '@fastify/ajv-compiler';

type BuildValidator = ReturnType<typeof AjvCompiler>;

/**
 * Fastify's validator factory with two Ajv instances. Query strings, path parameters and headers
 * are text on the wire, so `?take=5` is coerced to a number. JSON bodies are never coerced: a
 * `credits: ""` turned into null (unlimited credits), `residual: "true"` into true, `metadata: 123`
 * into "123". A wrong type in a body is a 400 naming the field.
 */
export function buildValidator(): BuildValidator {
  const pool = AjvCompiler();
  return (externalSchemas, options) => {
    const base = { ...options?.customOptions, removeAdditional: false, useDefaults: true } as const;
    const text = pool(externalSchemas, { ...options, mode: undefined, customOptions: { ...base, coerceTypes: 'array' } });
    const json = pool(externalSchemas, { ...options, mode: undefined, customOptions: { ...base, coerceTypes: false } });
    return (route) => (route.httpPart === 'body' ? json : text)(route);
  };
}
