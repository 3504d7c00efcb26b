/**
 * A minimal client written only from AudioShake's public Tasks API documentation: x-api-key header,
 * POST /assets (multipart field `file`), POST /tasks with `assetId` or `url` and `targets`, polling
 * GET /tasks/{id} until every target is `completed` or `error`, GET /tasks?skip&take, downloading
 * `output[].link`. Nothing Stemline-specific: only the base URL and key change.
 */
export class AudioShakeClient {
  constructor(private readonly baseUrl: string, private readonly apiKey: string) {}

  private async request(path: string, init: RequestInit = {}): Promise<any> {
    const response = await fetch(`${this.baseUrl}${path}`, { ...init, headers: { 'x-api-key': this.apiKey, ...(init.headers ?? {}) } });
    const body = await response.json();
    if (!response.ok) throw new Error(`AudioShake API ${response.status}: ${body.message ?? JSON.stringify(body)}`);
    return body;
  }

  async uploadAsset(bytes: Uint8Array, filename: string): Promise<{ id: string; name: string; format: string; link: string }> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)]), filename);
    return this.request('/assets', { method: 'POST', body: form });
  }

  async createTask(input: { assetId?: string; url?: string }, targets: { model: string; formats: string[]; residual?: boolean }[]): Promise<any> {
    return this.request('/tasks', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // AudioShake's examples also send a callbackUrl; the dashboard webhook is what fires.
      body: JSON.stringify({ ...input, targets, callbackUrl: 'https://example.com/unused' }),
    });
  }

  async getTask(id: string): Promise<any> {
    return this.request(`/tasks/${id}`);
  }

  async listTasks(skip = 0, take = 10): Promise<any[]> {
    return this.request(`/tasks?skip=${skip}&take=${take}`);
  }

  async waitForTask(id: string, intervalMs = 200, timeoutMs = 120_000): Promise<any> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const task = await this.getTask(id);
      if (task.targets.every((t: any) => t.status === 'completed' || t.status === 'error')) return task;
      if (Date.now() > until) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
