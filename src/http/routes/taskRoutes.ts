import type { FastifyInstance } from 'fastify';
import type { TaskRecord } from '../../domain/records.js';
import { renderTask } from '../../domain/renderTask.js';
import { taskLinkFiles } from '../../domain/taskLinkFiles.js';
import { distributionByModel, usageByMonth } from '../../domain/taskStatistics.js';
import { AppError } from '../../errors/AppError.js';
import { cacheCompletedTasks } from '../../services/cacheCompletedTasks.js';
import { createTask } from '../../services/createTask.js';
import type { AppContext } from '../AppContext.js';
import { Type } from '@sinclair/typebox';
import { Task, TaskStatistics } from '../../wire/Task.js';
import { CreateTaskBody, TaskQuery } from '../../wire/requests.js';
import { answers, IdParams, StatisticsQuery } from '../schemas.js';

export function taskRoutes(app: FastifyInstance, ctx: AppContext): void {
  const signerFor = (...tasks: TaskRecord[]) => ctx.links.prepare(taskLinkFiles(tasks));
  const reader = cacheCompletedTasks(ctx.repos.tasks, { ttlMs: 60_000, max: 10_000 });
  // Within one second a completed task renders to the same bytes (links signed in the same second are
  // identical), so pollers of finished tasks share one serialisation per second.
  let renderedSecond = 0;
  const rendered = new Map<string, string>();

  app.post('/tasks', { schema: { summary: 'Create a task: one input, 1 to 10 targets', tags: ['tasks'], body: CreateTaskBody, response: answers(Task) } }, async (request) => {
    const task = await createTask({
      repos: ctx.repos, catalogue: ctx.catalogue, maxTargets: ctx.config.maxTargets, checkUrl: ctx.checkUrl, notify: ctx.notify,
    }, request.principal!.clientId, request.body, Date.now());
    return renderTask(task, await signerFor(task));
  });

  app.get<{ Querystring: { name: 'usage' | 'distribution' } }>('/tasks/statistics', { schema: { summary: 'Usage by month or by model', tags: ['tasks'], querystring: StatisticsQuery, response: answers(TaskStatistics) } }, async (request) => {
    const rows = await ctx.repos.tasks.completedUsage(request.principal!.clientId);
    return request.query.name === 'usage' ? usageByMonth(rows) : distributionByModel(rows);
  });

  app.get<{ Params: { id: string } }>('/tasks/:id', { schema: { summary: 'A task, with freshly signed output links', tags: ['tasks'], params: IdParams, response: answers(Task) } }, async (request, reply) => {
    const task = await reader.get(request.principal!.clientId, request.params.id);
    if (!task) throw new AppError('not_found', `No task '${request.params.id}'.`);
    if (task.completedAt === null) return renderTask(task, await signerFor(task));
    const second = Math.floor(Date.now() / 1000);
    if (second !== renderedSecond) {
      rendered.clear();
      renderedSecond = second;
    }
    const cacheKey = `${task.clientId}\u0000${task.id}`;
    let body = rendered.get(cacheKey);
    if (body === undefined) {
      body = JSON.stringify(renderTask(task, await signerFor(task)));
      rendered.set(cacheKey, body);
    }
    return reply.type('application/json; charset=utf-8').send(body);
  });

  app.get<{ Querystring: TaskQuery }>('/tasks', { schema: { summary: 'Tasks, newest first', tags: ['tasks'], querystring: TaskQuery, response: answers(Type.Array(Task)) } }, async (request) => {
    const q = request.query;
    const tasks = await ctx.repos.tasks.list(request.principal!.clientId, {
      skip: q.skip ?? 0, take: q.take ?? 10, status: q.status, model: q.model,
      createdAfter: q.createdAfter ? Date.parse(q.createdAfter) : undefined,
      createdBefore: q.createdBefore ? Date.parse(q.createdBefore) : undefined,
    });
    const sign = await signerFor(...tasks);
    return tasks.map((task) => renderTask(task, sign));
  });
}
