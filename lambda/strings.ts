/** The value without surrounding white space, or undefined when nothing is left (or it was absent). */
export function trimmedOrUndefined(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
