/**
 * List parameters arrive repeated (`?statuses=running&statuses=locked`) or comma-separated
 * (`?statuses=running,locked`), or both; the services parse the flat list.
 */
export function list(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const flat = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  return flat.length > 0 ? flat : undefined;
}
