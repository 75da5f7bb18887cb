// @langchain/langgraph publishes `./prebuilt` only through package.json "exports", which this
// repository's moduleResolution ("node") does not read; its types are these (the runtime import,
// under tsx and Node, resolves through "exports" as usual).
declare module '@langchain/langgraph/prebuilt' {
  export * from '@langchain/langgraph/dist/prebuilt/index.js';
}
