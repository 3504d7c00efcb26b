import type { FastifyReply, FastifyRequest } from 'fastify';
import { toHttpError } from './toHttpError.js';

/** Fastify's `frameworkErrors`: errors it answers before routing (a malformed %-escape in the path) get the catalogue shape too. */
export function sendFrameworkError(error: Error, _request: FastifyRequest, reply: FastifyReply): void {
  const body = toHttpError(error);
  void reply.status(body.statusCode).send(body);
}
