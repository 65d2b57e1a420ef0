/** undici's `HttpClient` layer, alone in a module so that it is loaded only when a client is built. */
export { layerUndici } from "@effect/platform-node/NodeHttpClient"
