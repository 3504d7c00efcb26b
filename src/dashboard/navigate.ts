/** Goes to a dashboard route (`tasks/abc` -> #/tasks/abc). */
export function go(path: string): void {
  location.hash = `#/${path}`;
}
