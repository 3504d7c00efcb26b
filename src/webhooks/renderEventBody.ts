import type { TaskRecord } from '../domain/records.js';
import { renderTask } from '../domain/renderTask.js';
import { taskLinkFiles } from '../domain/taskLinkFiles.js';
import type { Links } from '../storage/Links.js';

/** A webhook body: the event's Task snapshot (TaskRecord JSON) as GET /tasks/{id} renders it, links signed now. */
export async function renderEventBody(payload: string, links: Links): Promise<string> {
  const task = JSON.parse(payload) as TaskRecord;
  return JSON.stringify(renderTask(task, await links.prepare(taskLinkFiles([task]))));
}
