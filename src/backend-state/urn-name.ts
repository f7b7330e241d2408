/** A resource's name: the last part of its URN. */
export function resourceName(urn: string): string {
  const i = urn.lastIndexOf('::');
  return i < 0 ? urn : urn.slice(i + 2);
}
