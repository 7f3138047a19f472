/**
 * @module
 * One documented operation, declared with the zod schemas its route validates with, and how it
 * becomes an OpenAPI 3.1 operation object (zod's own JSON Schema conversion, input side).
 */
import { z } from "zod";

type Method = "get" | "post" | "put" | "patch" | "delete";

/** A schema: a zod schema converted here, or the name of a shared one in `components.schemas`. */
export type SchemaSource = z.ZodType | { ref: string };

interface RequestExample {
  summary: string;
  value: unknown;
}

export interface ResponseSpec {
  description: string;
  schema?: SchemaSource;
  example?: unknown;
  /** Response headers worth knowing, name to description. */
  headers?: Record<string, string>;
  contentType?: string;
}

interface HeaderParameter {
  name: string;
  description: string;
  required: boolean;
  example?: string;
}

export interface Operation {
  method: Method;
  /** The path with `{name}` parameters, as OpenAPI writes it. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** Alternatives, each naming security schemes; `[]` for a public route. */
  security: Record<string, string[]>[];
  /** Path parameters, name to description (and the values it may take, when they are few). */
  pathParams?: Record<string, string | { description: string; values: readonly string[] }>;
  query?: z.ZodObject;
  headers?: HeaderParameter[];
  body?: { schema: SchemaSource; examples: Record<string, RequestExample>; required?: boolean; description?: string };
  responses: Record<number, ResponseSpec>;
}

type JsonSchema = Record<string, unknown>;

/** The JSON Schema of what a request may send (the input side of transforms and defaults). */
export function jsonSchemaOf(source: SchemaSource): JsonSchema {
  if (!(source instanceof z.ZodType)) return { $ref: `#/components/schemas/${source.ref}` };
  const { $schema: _dialect, ...schema } = z.toJSONSchema(source, { io: "input", unrepresentable: "any" }) as JsonSchema;
  return schema;
}

function queryParameters(query: z.ZodObject) {
  const schema = jsonSchemaOf(query) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: "query", required: schema.required?.includes(name) ?? false, ...(description ? { description } : {}), schema: rest };
  });
}

/** The OpenAPI operation object of one operation. */
export function operationObject(op: Operation): JsonSchema {
  const parameters = [
    ...Object.entries(op.pathParams ?? {}).map(([name, param]) =>
      typeof param === "string"
        ? { name, in: "path", required: true, description: param, schema: { type: "string" } }
        : { name, in: "path", required: true, description: param.description, schema: { type: "string", enum: param.values } },
    ),
    ...(op.query ? queryParameters(op.query) : []),
    ...(op.headers ?? []).map((h) => ({
      name: h.name,
      in: "header",
      required: h.required,
      description: h.description,
      schema: { type: "string" },
      ...(h.example === undefined ? {} : { example: h.example }),
    })),
  ];
  const responses = Object.fromEntries(
    Object.entries(op.responses).map(([status, r]) => [
      status,
      {
        description: r.description,
        ...(r.headers ? { headers: Object.fromEntries(Object.entries(r.headers).map(([name, description]) => [name, { description, schema: { type: "string" } }])) } : {}),
        ...(r.schema
          ? { content: { [r.contentType ?? "application/json"]: { schema: jsonSchemaOf(r.schema), ...(r.example === undefined ? {} : { example: r.example }) } } }
          : {}),
      },
    ]),
  );
  return {
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    operationId: `${op.method}${op.path.replace(/[{}]/g, "").replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? "").toUpperCase())}`,
    security: op.security,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: op.body.required ?? true,
            ...(op.body.description ? { description: op.body.description } : {}),
            content: { "application/json": { schema: jsonSchemaOf(op.body.schema), examples: op.body.examples } },
          },
        }
      : {}),
    responses,
  };
}
