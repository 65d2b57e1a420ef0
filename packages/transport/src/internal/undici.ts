/** undici and the platform's layers over it, alone in a module so that they load only when a client is built. */
export { layerUndici, makeDispatcher, makeUndici } from "@effect/platform-node/NodeHttpClient"
