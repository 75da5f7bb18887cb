/**
 * The contract between the agent-side SDKs and Tracefork, in one leaf module that imports nothing
 * of the project (only Node's own modules): the replay attributes and plan format, the encoded JSON
 * of recorded values, step keys and input hashes (format.ts, json.ts; specified in sdk/REPLAY.md and
 * pinned by test/vectors/replay-vectors.json), and the "first frame in the user's code" rule
 * (frames.ts). The SDK, the CLI, the extension and core all import it from here.
 */
export * from './format';
export * from './json';
export * from './frames';
