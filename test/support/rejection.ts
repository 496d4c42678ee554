/**
 * The error a call fails with, for tests that inspect it field by field. A call that succeeds fails
 * the test: an expected failure can never pass silently.
 */
export async function rejectionOf<E = any>(promise: Promise<unknown>): Promise<E> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail, but it succeeded');
    },
    (error: E) => error,
  );
}
