import AjvCompiler from '@fastify/ajv-compiler';

type BuildValidator = ReturnType<typeof AjvCompiler>;
type Validate = ReturnType<ReturnType<BuildValidator>>;

/**
 * Fastify's validator factory with two Ajv instances. Query strings, path parameters and headers
 * are text on the wire, so `?take=5` is coerced to a number. JSON bodies are never coerced: a
 * `credits: ""` turned into null (unlimited credits), `residual: "true"` into true, `metadata: 123`
 * into "123". A wrong type in a body is a 400 naming the field.
 */
export function buildValidator(): BuildValidator {
  const pool = AjvCompiler();
  return (externalSchemas, options) => {
    const base = { ...options?.customOptions, removeAdditional: false, useDefaults: true, strictNumbers: true } as const;
    const text = pool(externalSchemas, { ...options, mode: undefined, customOptions: { ...base, coerceTypes: 'array' } });
    const json = pool(externalSchemas, { ...options, mode: undefined, customOptions: { ...base, coerceTypes: false } });
    return (route) => (route.httpPart === 'body' ? json(route) : finiteOnly(text(route)));
  };
}

/**
 * Ajv coerces `?take=1e309` to Infinity and then skips maximum (its number checks guard on
 * isFinite): the value reached the database and failed there (500). Coerced text must be finite.
 */
function finiteOnly(validate: Validate): Validate {
  const wrapped = ((data: unknown) => {
    const ok = validate(data);
    if (!ok || typeof data !== 'object' || data === null) {
      wrapped.errors = validate.errors;
      return ok;
    }
    const bad = Object.entries(data).find(([, value]) => typeof value === 'number' && !Number.isFinite(value));
    wrapped.errors = bad ? [{ instancePath: `/${bad[0]}`, schemaPath: '#/finite', keyword: 'finite', params: {}, message: 'must be a finite number' }] : null;
    return !bad;
  }) as Validate;
  return wrapped;
}
