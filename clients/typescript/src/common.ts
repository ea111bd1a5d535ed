// What the client programs share: the generated client, test tokens, and reading answers.

import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];

export const URL = process.env.GROUPBUY_URL ?? "http://127.0.0.1:8080";
export const BIN = process.env.GROUPBUY_BIN ?? "target/debug/groupbuy";
export const RUN = randomUUID().slice(0, 8); // keeps users, handles and slugs of reruns apart

export const api = createClient<paths>({ baseUrl: URL });

/** A test token signed by the binary (the same secret as the server). */
export function token(sub: string, ...roles: string[]): string {
  const args = ["token", "--sub", `${sub}-${RUN}`, "--name", sub];
  for (const role of roles) args.push("--role", role);
  return mint(args);
}

/** A token minted by `groupbuy token` with these arguments. */
export function mint(args: string[]): string {
  return execFileSync(BIN, args, { encoding: "utf8" }).trim();
}

/** Request headers of a user. */
export function as(bearer: string): { Authorization: string } {
  return { Authorization: `Bearer ${bearer}` };
}

/** What openapi-fetch answers: data on success, the problem otherwise. */
export interface Answer<T> {
  data?: T;
  error?: Problem | undefined;
  response: Response;
}

/** The body of a success with `status`, else a failure naming what came back. */
export function ok<T>(answer: Answer<T>, status = 200): T {
  if (answer.response.status !== status || answer.data === undefined) {
    throw new Error(`expected ${status}, got ${answer.response.status}: ${JSON.stringify(answer.error)}`);
  }
  return answer.data;
}

/** The problem of a refusal with `status`. */
export function refused<T>(answer: Answer<T>, status: number): Problem {
  if (answer.response.status !== status || answer.error === undefined) {
    throw new Error(`expected ${status}, got ${answer.response.status}`);
  }
  return answer.error;
}

export function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(what);
}
