// The console's one way to the gateway: every call carries the operator token from sessionStorage.
const KEY = "fleetstream.operatorToken";

export const session = {
  token: () => sessionStorage.getItem(KEY),
  save: (token) => sessionStorage.setItem(KEY, token),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** JSON from the gateway; a problem+json answer becomes an ApiError carrying it. */
export async function api(path, init = {}) {
  const headers = { authorization: `Bearer ${session.token()}`, ...(init.body ? { "content-type": "application/json" } : {}) };
  const res = await fetch(path, { ...init, headers: { ...headers, ...init.headers } });
  const body = res.headers.get("content-type")?.includes("json") ? await res.json() : await res.text();
  if (!res.ok) throw new ApiError(res.status, typeof body === "object" ? body : undefined);
  return body;
}
