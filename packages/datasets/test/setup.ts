import fc from "fast-check";

// Property tests explore new random cases on every local run; in CI they replay one fixed seed, so that a
// landing never depends on luck (a failure prints its seed either way).
if (process.env.CI) fc.configureGlobal({ seed: 20261125 });
