import type { TaskRecord } from '../domain/records.js';
import type { TasksPort } from './ports.js';

/**
 * Task reads with a per-process cache of completed tasks. A task whose every target has ended never
 * changes again (statuses are terminal), so re-reading it, as clients do for fresh links, need not
 * query the database; links are still signed per request. Entries live `ttlMs` (so swept outputs
 * disappear within it) and the cache holds at most `max` tasks.
 */
export function cacheCompletedTasks(tasks: TasksPort, options: { ttlMs: number; max: number }): Pick<TasksPort, 'get'> {
  const cache = new Map<string, { task: TaskRecord; until: number }>();
  return {
    async get(clientId, id) {
      const key = `${clientId}\u0000${id}`;
      const now = Date.now();
      const hit = cache.get(key);
      if (hit && hit.until > now) return hit.task;
      const task = await tasks.get(clientId, id);
      if (task?.completedAt != null) {
        if (cache.size >= options.max) cache.delete(cache.keys().next().value!);
        cache.set(key, { task, until: now + options.ttlMs });
      }
      return task;
    },
  };
}
