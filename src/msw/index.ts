export { createMockAuthServer } from "./mockAuthServer.js";
export type { MockAuthServer, MockAuthServerOptions } from "./mockAuthServer.js";
export type { MockAuthCounters } from "./counters.js";
export type { Failure } from "./faults.js";
export type { LoginOptions, LoginResult } from "./loginEndpoint.js";
export type { MockDocument } from "./documents.js";
export type { RouteName } from "./routes.js";
export type { MockUser, MockUserInput } from "./users.js";
export { csrfCookie, csrfHeader, identityHeader, sessionCookie } from "./responses.js";
