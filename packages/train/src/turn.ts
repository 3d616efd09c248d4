// Yielding to the event loop from long work, so that a Ctrl-C, an abort or a worker's messages get in.

/**
 * Resolves after pending events have run: setImmediate in Node; elsewhere a message to ourselves over a private
 * MessageChannel (a zero-delay timer would be clamped to 4 ms once nested).
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === "function") {
      setImmediate(resolve);
      return;
    }
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(0);
  });
}
