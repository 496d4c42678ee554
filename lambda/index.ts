// Placeholder until the poller lands: the bundling path is the real one.
export const handler = async (): Promise<{ ok: boolean }> => ({ ok: true });
