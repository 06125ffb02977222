export const id = 667;
export const ids = [667];
export const modules = {

/***/ 7240:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   P8: () => (/* binding */ createDockerRunner),
/* harmony export */   Tk: () => (/* binding */ isBuildxMissing),
/* harmony export */   YJ: () => (/* binding */ DockerCommandError),
/* harmony export */   Zn: () => (/* binding */ BuildxMissingError)
/* harmony export */ });
/* unused harmony export DockerMissingError */
/* harmony import */ var _format_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9125);

const TAIL_LINES = 15;
/** A docker command that exited non-zero: the command as run, its code and what it said last. */
class DockerCommandError extends Error {
    args;
    exitCode;
    output;
    constructor(args, exitCode, output) {
        const tail = output.trim().split('\n').slice(-TAIL_LINES).join('\n');
        super(`docker ${(0,_format_js__WEBPACK_IMPORTED_MODULE_0__/* .formatCommand */ .f)(args)} failed with exit code ${exitCode}${tail ? `:\n${tail}` : ''}`);
        this.args = args;
        this.exitCode = exitCode;
        this.output = output;
        this.name = 'DockerCommandError';
    }
}
class DockerMissingError extends Error {
    constructor() {
        super('the docker CLI was not found on PATH: install Docker (or use a runner that has it)');
        this.name = 'DockerMissingError';
    }
}
/** Judges by exit code alone; output on stderr is not an error by itself. */
function createDockerRunner(binary = 'docker') {
    return {
        async run(args, options = {}) {
            let result;
            try {
                // loaded on first use: a dry run starts no process
                const { getExecOutput } = await __webpack_require__.e(/* import() */ 260).then(__webpack_require__.bind(__webpack_require__, 1260));
                result = await getExecOutput(binary, args, {
                    input: options.input === undefined
                        ? undefined
                        : Buffer.from(options.input),
                    ignoreReturnCode: true,
                    silent: options.quiet === true
                });
            }
            catch (error) {
                if (error instanceof Error &&
                    /Unable to locate executable/.test(error.message))
                    throw new DockerMissingError();
                throw error;
            }
            if (result.exitCode !== 0)
                throw new DockerCommandError(args, result.exitCode, `${result.stderr}\n${result.stdout}`);
            return { stdout: result.stdout, stderr: result.stderr };
        }
    };
}
/** buildx's plugin is missing: the docker CLI says so instead of building. */
class BuildxMissingError extends Error {
    constructor() {
        super('docker buildx is not available: install the buildx plugin (promote and multi-platform builds need it)');
        this.name = 'BuildxMissingError';
    }
}
// docker 25+: `docker: unknown command: docker buildx`; older: `'buildx' is not a docker command`
const BUILDX_MISSING = /'buildx' is not a docker command|unknown command:? "?(?:docker )?buildx/i;
/** Whether a failed `docker buildx …` failed only because buildx is not installed. */
function isBuildxMissing(error) {
    return (error instanceof DockerCommandError && BUILDX_MISSING.test(error.output));
}


/***/ }),

/***/ 5667:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createPublishEnv: () => (/* binding */ createPublishEnv),
  createRegistry: () => (/* binding */ createRegistry)
});

// EXTERNAL MODULE: ./src/docker/runner.ts
var runner = __webpack_require__(7240);
// EXTERNAL MODULE: ./src/registry/retry.ts
var retry = __webpack_require__(1521);
;// CONCATENATED MODULE: ./src/registry/errors.ts
/**
 * Turning failed requests into errors whose message starts with
 * `registry <host>:`: TransientError for what is worth retrying,
 * RegistryError for what is not. No message ever holds a password.
 */

/** A failure that retrying will not fix (auth, bad request, bad name…). */
class RegistryError extends Error {
    registry;
    status;
    constructor(registry, detail, status, options) {
        super(`registry ${registry}: ${detail}`, options);
        this.registry = registry;
        this.status = status;
        this.name = 'RegistryError';
    }
}
/** Network error codes that another try will not fix. */
const PERMANENT_CODES = {
    ENOTFOUND: 'host not found',
    CERT_HAS_EXPIRED: 'TLS certificate expired',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
    SELF_SIGNED_CERT_IN_CHAIN: 'self-signed TLS certificate in chain',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate cannot be verified',
    ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
    ERR_SSL_WRONG_VERSION_NUMBER: 'TLS handshake failed (is it plain http?)'
};
const TRANSIENT_CODES = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    EPIPE: 'connection closed',
    ETIMEDOUT: 'connection timed out',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    EAI_AGAIN: 'DNS lookup failed temporarily',
    UND_ERR_SOCKET: 'connection closed by the server',
    UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
    UND_ERR_HEADERS_TIMEOUT: 'no response headers in time',
    UND_ERR_BODY_TIMEOUT: 'response body stalled'
};
function errorCode(error) {
    for (let e = error, depth = 0; e && depth < 4; depth++) {
        const code = e.code;
        if (typeof code === 'string')
            return code;
        e = e.cause;
    }
    return undefined;
}
/** By name, not instanceof: fetch's errors may come from another realm. */
function errorName(error) {
    const name = error?.name;
    return typeof name === 'string' ? name : undefined;
}
function errorText(error) {
    const message = error?.message;
    return typeof message === 'string' ? message : String(error);
}
/**
 * Classifies an error thrown by fetch (or while reading a body). Errors that
 * are already classified, and programming errors, are returned unchanged.
 */
function classifyNetworkError(registry, error, timeoutMs) {
    if (error instanceof retry/* TransientError */.N_ || error instanceof RegistryError) {
        return error;
    }
    const name = errorName(error);
    if (name === 'TimeoutError' || name === 'AbortError') {
        return new retry/* TransientError */.N_(`no response within ${timeoutMs} ms`, {
            cause: error
        });
    }
    if (name !== 'TypeError')
        return error;
    const code = errorCode(error);
    if (code !== undefined && code in PERMANENT_CODES) {
        return new RegistryError(registry, `${PERMANENT_CODES[code]} (${code})`, undefined, { cause: error });
    }
    const detail = (code && TRANSIENT_CODES[code]) ?? errorText(error);
    return new retry/* TransientError */.N_(code ? `${detail} (${code})` : detail, {
        cause: error
    });
}
/** Retry-After as milliseconds: delay-seconds or an HTTP date. */
function parseRetryAfter(value, nowMs) {
    if (value === null || value.trim() === '')
        return undefined;
    if (/^\s*\d+\s*$/.test(value))
        return Number(value) * 1000;
    const date = Date.parse(value);
    return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
/** "CODE: message" from the registry's error JSON, or undefined. */
function errorBodyDetail(body) {
    try {
        const parsed = JSON.parse(body);
        const first = parsed.errors?.[0];
        if (first === undefined)
            return undefined;
        const parts = [first.code, first.message].filter(part => typeof part === 'string' && part !== '');
        return parts.length > 0 ? parts.join(': ') : undefined;
    }
    catch {
        return undefined;
    }
}
function statusText(response) {
    return `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
}
function describeUser(username) {
    return username === undefined
        ? 'without credentials'
        : `for user ${JSON.stringify(username)}`;
}
/** The error for a 401 that credentials did not fix (or no credentials). */
function authFailed(registry, response, username) {
    const what = username === undefined ? 'authentication required' : 'authentication failed';
    return new RegistryError(registry, `${what} (${statusText(response)}) ${describeUser(username)}`, response.status);
}
/**
 * The error for an unexpected response (reads and discards its body):
 * 5xx and 429 are transient, 401/403 auth errors, other 4xx carry the
 * registry's error code and message.
 */
async function responseFailure(response, context) {
    const body = await response.text().catch(() => '');
    const detail = errorBodyDetail(body);
    const status = statusText(response);
    const { registry } = context;
    if (response.status >= 500 || response.status === 429) {
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
        return new retry/* TransientError */.N_(detail ? `${status}: ${detail}` : status, {
            retryAfterMs
        });
    }
    if (response.status === 401) {
        return authFailed(registry, response, context.username);
    }
    if (response.status === 403) {
        const suffix = detail ? `: ${detail}` : '';
        return new RegistryError(registry, `access denied (${status}) ${describeUser(context.username)} on ${context.request}${suffix}`, response.status);
    }
    return new RegistryError(registry, `${context.request}: ${status}${detail ? `: ${detail}` : ''}`, response.status);
}

// EXTERNAL MODULE: ./src/images.ts
var src_images = __webpack_require__(4525);
;// CONCATENATED MODULE: ./src/registry/reference.ts

/**
 * Where an image name lives: the registry host (per the docker reference
 * rules), the API endpoint and the repository path.
 */
const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
const DOCKER_HUB_ALIASES = new Set([DOCKER_HUB, 'index.docker.io']);
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const LOOPBACK = /^(?:localhost|127(?:\.[0-9]{1,3}){3}|\[::1\])$/i;
function invalid(image, why) {
    return new Error(`invalid image name ${JSON.stringify(image)}: ${why}`);
}
function hostWithoutPort(host) {
    return host.replace(/:[0-9]+$/, '');
}
function isLoopbackHost(host) {
    return LOOPBACK.test(hostWithoutPort(host));
}
/** The endpoint for a registry name: "127.0.0.1:5001", "ghcr.io", "docker.io". */
function parseRegistry(name) {
    if (!HOST.test(name)) {
        throw new Error(`invalid registry ${JSON.stringify(name)}: expected host[:port], e.g. ghcr.io or 127.0.0.1:5000`);
    }
    if (DOCKER_HUB_ALIASES.has(name.toLowerCase())) {
        return {
            registry: DOCKER_HUB,
            apiHost: DOCKER_HUB_API_HOST,
            scheme: 'https'
        };
    }
    return {
        registry: name,
        apiHost: name,
        scheme: isLoopbackHost(name) ? 'http' : 'https'
    };
}
/** Parses an image name without tag or digest: "o/app", "ghcr.io/o/a", "127.0.0.1:5001/team/app". */
function parseRepository(image) {
    const slash = image.indexOf('/');
    const first = slash === -1 ? '' : image.slice(0, slash);
    const hasHost = slash !== -1 && (0,src_images/* isRegistryHost */.EV)(first);
    const host = hasHost ? first : DOCKER_HUB;
    let path = hasHost ? image.slice(slash + 1) : image;
    if (/[@]|:[^/]*$/.test(path)) {
        throw invalid(image, 'expected a name without tag or digest');
    }
    if (!HOST.test(host))
        throw invalid(image, `bad registry host "${host}"`);
    const endpoint = parseRegistry(host);
    if (endpoint.registry === DOCKER_HUB && !path.includes('/')) {
        path = `library/${path}`;
    }
    const components = path.split('/');
    if (!components.every(component => PATH_COMPONENT.test(component))) {
        throw invalid(image, 'each path component must be lower-case letters and digits, separated by ".", "_", "__" or "-"');
    }
    if (path.length > 255)
        throw invalid(image, 'longer than 255 characters');
    return { ...endpoint, repository: path };
}

;// CONCATENATED MODULE: ./src/registry/challenge.ts
/** Parsing of WWW-Authenticate challenges (RFC 7235) as registries send them. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;
const SPACE = /^[\s,]*/;
/** Reads a quoted string at the start of text: [value, rest]. */
function readQuoted(text) {
    let value = '';
    for (let i = 1; i < text.length; i++) {
        const char = text[i];
        if (char === '\\' && i + 1 < text.length) {
            value += text[++i];
        }
        else if (char === '"') {
            return [value, text.slice(i + 1)];
        }
        else {
            value += char;
        }
    }
    return [value, ''];
}
/** Reads `name=value` at the start of text, or undefined if text starts a new challenge. */
function readParam(text) {
    const match = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*=\s*/.exec(text);
    if (match === null)
        return undefined;
    const after = text.slice(match[0].length);
    if (after.startsWith('"')) {
        const [value, rest] = readQuoted(after);
        return { name: match[1].toLowerCase(), value, rest };
    }
    const token = /^[^,\s]*/.exec(after)?.[0] ?? '';
    return {
        name: match[1].toLowerCase(),
        value: token,
        rest: after.slice(token.length)
    };
}
/** All challenges in a header value, in order (one header may hold several). */
function parseChallenges(header) {
    const challenges = [];
    let text = header.trim();
    while (text.length > 0) {
        const scheme = TOKEN.exec(text)?.[0];
        if (scheme === undefined)
            break;
        const challenge = { scheme: scheme.toLowerCase(), params: {} };
        challenges.push(challenge);
        text = text.slice(scheme.length).replace(SPACE, '');
        for (let param = readParam(text); param; param = readParam(text)) {
            challenge.params[param.name] = param.value;
            text = param.rest.replace(SPACE, '');
        }
    }
    return challenges;
}
/** The challenge to answer: Bearer if offered, else Basic, else undefined. */
function pickChallenge(header) {
    const challenges = parseChallenges(header ?? '');
    return (challenges.find(c => c.scheme === 'bearer') ??
        challenges.find(c => c.scheme === 'basic'));
}

;// CONCATENATED MODULE: ./src/registry/auth.ts
/**
 * Registry authentication: answers 401 challenges (Basic, or Bearer tokens
 * from the realm), remembers the scheme per registry so later requests
 * authenticate up front, and caches tokens per registry and scope.
 */


function basicAuthorization(credentials) {
    const pair = `${credentials.username}:${credentials.password}`;
    return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}
function parseRealm(registry, realm) {
    try {
        const url = new URL(realm ?? '');
        if (url.protocol === 'https:' || url.protocol === 'http:')
            return url.href;
    }
    catch {
        // reported below
    }
    throw new RegistryError(registry, `Bearer challenge without a usable realm URL (${JSON.stringify(realm ?? '')})`);
}
class RegistryAuth {
    credentials;
    fetchToken;
    schemes = new Map();
    tokens = new Map();
    constructor(credentials, fetchToken) {
        this.credentials = credentials;
        this.fetchToken = fetchToken;
    }
    username(registry) {
        return this.credentials(registry)?.username;
    }
    /** The header to send before any challenge, when the scheme is known. */
    async upFront(registry, scope) {
        const scheme = this.schemes.get(registry);
        if (scheme === undefined)
            return undefined;
        return this.authorize(registry, scheme, scope);
    }
    /**
     * Learns the scheme from a 401 and returns the header to retry with (a
     * token another request is already fetching for this scope is shared).
     */
    async answer(registry, response, scope) {
        const challenge = pickChallenge(response.headers.get('www-authenticate'));
        const scheme = this.learn(registry, response, challenge);
        const authorization = await this.authorize(registry, scheme, challenge?.params.scope ?? scope, scope);
        if (authorization === undefined) {
            throw authFailed(registry, response, undefined);
        }
        return authorization;
    }
    /** Drops a cached token that the registry refused. */
    forget(registry, scope) {
        this.tokens.delete(tokenKey(registry, scope));
    }
    learn(registry, response, challenge) {
        if (challenge?.scheme === 'basic') {
            this.schemes.set(registry, { kind: 'basic' });
        }
        else if (challenge?.scheme === 'bearer') {
            const { realm, service } = challenge.params;
            this.schemes.set(registry, {
                kind: 'bearer',
                realm: parseRealm(registry, realm),
                service
            });
        }
        else {
            const header = response.headers.get('www-authenticate') ?? '(none)';
            throw new RegistryError(registry, `401 Unauthorized with an unsupported WWW-Authenticate challenge: ${header}`, 401);
        }
        return this.schemes.get(registry);
    }
    async authorize(registry, scheme, scope, cacheScope = scope) {
        const credentials = this.credentials(registry);
        if (scheme.kind === 'basic') {
            if (credentials === undefined)
                return undefined;
            return { header: basicAuthorization(credentials), reused: false };
        }
        const key = tokenKey(registry, cacheScope);
        const cached = this.tokens.get(key);
        if (cached !== undefined) {
            return { header: `Bearer ${await cached}`, reused: true };
        }
        const pending = this.requestToken(registry, scheme, scope, credentials);
        this.tokens.set(key, pending);
        pending.catch(() => this.tokens.delete(key));
        return { header: `Bearer ${await pending}`, reused: false };
    }
    async requestToken(registry, scheme, scope, credentials) {
        const url = new URL(scheme.realm);
        if (scheme.service !== undefined) {
            url.searchParams.set('service', scheme.service);
        }
        if (scope !== undefined)
            url.searchParams.set('scope', scope);
        const headers = { Accept: 'application/json' };
        if (credentials !== undefined) {
            url.searchParams.set('account', credentials.username);
            headers.Authorization = basicAuthorization(credentials);
        }
        const response = await this.fetchToken(url, headers);
        if (!response.ok) {
            throw await responseFailure(response, {
                registry,
                request: `token request to ${url.origin}${url.pathname}`,
                username: credentials?.username
            });
        }
        return readToken(registry, await response.text());
    }
}
function tokenKey(registry, scope) {
    return `${registry} ${scope ?? ''}`;
}
function readToken(registry, body) {
    let parsed = {};
    try {
        parsed = JSON.parse(body);
    }
    catch {
        // reported below
    }
    const token = parsed.token ?? parsed.access_token;
    if (typeof token !== 'string' || token === '') {
        throw new RegistryError(registry, 'the token server answered without a "token" or "access_token"');
    }
    return token;
}

;// CONCATENATED MODULE: ./src/registry/transport.ts
/**
 * One logical registry request: per-request timeout, authentication (up
 * front when the scheme is known, else on the 401 challenge), classified
 * errors, and bounded retries around the whole exchange.
 */



const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
function requestUrl(endpoint, path) {
    return new URL(path, `${endpoint.scheme}://${endpoint.apiHost}`);
}
function createTransport(options) {
    return new RegistryTransport(options);
}
class RegistryTransport {
    options;
    auth;
    constructor(options) {
        this.options = options;
        this.auth = new RegistryAuth(options.credentials, (url, headers) => this.send(url, { method: 'GET', headers }));
    }
    request(endpoint, request, read) {
        const { registry } = endpoint;
        const url = requestUrl(endpoint, request.path);
        const what = `${request.method} ${url.href}`;
        const operation = async () => {
            try {
                const response = await this.exchange(endpoint, request, url);
                return await read(response, () => responseFailure(response, {
                    registry,
                    request: what,
                    username: this.auth.username(registry)
                }));
            }
            catch (error) {
                throw classifyNetworkError(registry, error, this.options.requestTimeoutMs);
            }
        };
        return (0,retry/* withRetry */.bD)(operation, {
            retries: this.options.retries,
            sleep: this.options.sleep,
            baseDelayMs: this.options.baseDelayMs,
            maxDelayMs: this.options.maxDelayMs,
            describe: `registry ${registry}: ${what}`
        });
    }
    /** One HTTP round trip, bounded by the request timeout (body included). */
    send(url, init) {
        return this.options.fetch(url, {
            ...init,
            redirect: 'follow',
            signal: AbortSignal.timeout(this.options.requestTimeoutMs)
        });
    }
    /** The request with credentials: up front if the scheme is known, else after the 401. */
    async exchange(endpoint, request, url) {
        const { registry } = endpoint;
        const attempt = (authorization) => this.send(url, {
            method: request.method,
            headers: {
                ...request.headers,
                ...(authorization ? { Authorization: authorization } : {})
            },
            // A copy backed by a plain ArrayBuffer, as BodyInit wants.
            body: request.body && new Uint8Array(request.body)
        });
        if (request.authenticate === false)
            return attempt();
        const upFront = await this.auth.upFront(registry, request.scope);
        const first = await attempt(upFront?.header);
        if (first.status !== 401)
            return first;
        await first.body?.cancel();
        if (upFront !== undefined && !upFront.reused) {
            throw authFailed(registry, first, this.auth.username(registry));
        }
        // A cached token may have expired: drop it and answer the challenge.
        if (upFront?.reused)
            this.auth.forget(registry, request.scope);
        const answer = await this.auth.answer(registry, first, request.scope);
        const second = await attempt(answer.header);
        if (second.status === 401) {
            await second.body?.cancel();
            throw authFailed(registry, second, this.auth.username(registry));
        }
        return second;
    }
}

;// CONCATENATED MODULE: ./src/registry/link.ts
/** Following `Link: <…>; rel="next"` through paginated registry lists. */


/** The URL of the rel="next" link in a Link header value, if any. */
function parseNextLink(header) {
    for (const match of (header ?? '').matchAll(/<([^>]*)>([^,<]*)/g)) {
        const rel = /;\s*rel\s*=\s*"?([^";]*)"?/i.exec(match[2])?.[1];
        if (rel?.split(/\s+/).includes('next'))
            return match[1];
    }
    return undefined;
}
/**
 * The path (with query) of the next page, resolved against the request URL.
 * A link to another origin is refused: it would receive our credentials.
 */
function nextPageUrl(endpoint, response) {
    const link = parseNextLink(response.headers.get('link'));
    if (link === undefined)
        return undefined;
    const base = requestUrl(endpoint, '/');
    const next = new URL(link, response.url || base);
    if (next.origin !== base.origin) {
        throw new RegistryError(endpoint.registry, `the next page link points to another origin (${next.origin})`);
    }
    return `${next.pathname}${next.search}`;
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
;// CONCATENATED MODULE: ./src/registry/manifest.ts
/** Manifests: media types, digests, tag and digest references. */


/** Manifest media types we ask for, most specific first. */
const MANIFEST_MEDIA_TYPES = [
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.docker.distribution.manifest.v2+json'
];
const ACCEPT_MANIFESTS = MANIFEST_MEDIA_TYPES.join(', ');
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
function isTag(value) {
    return TAG.test(value);
}
function sha256Digest(bytes) {
    return `sha256:${(0,external_node_crypto_.createHash)('sha256').update(bytes).digest('hex')}`;
}
function checkReference(ref, reference) {
    if (!TAG.test(reference) && !DIGEST.test(reference)) {
        throw new RegistryError(ref.registry, `invalid tag or digest ${JSON.stringify(reference)} for ${ref.repository}`);
    }
}
/** The manifests path for a validated tag or digest (safe in a URL as is). */
function manifestPath(ref, reference) {
    checkReference(ref, reference);
    return `/v2/${ref.repository}/manifests/${reference}`;
}
/** The media type of a fetched manifest: Content-Type, else its JSON field. */
function mediaTypeOf(response, body) {
    const contentType = (response.headers.get('content-type') ?? '')
        .split(';')[0]
        .trim();
    if (contentType !== '' &&
        !/^(application\/json|text\/plain)$/.test(contentType)) {
        return contentType;
    }
    try {
        const parsed = JSON.parse(Buffer.from(body).toString('utf8'));
        if (typeof parsed.mediaType === 'string')
            return parsed.mediaType;
    }
    catch {
        // fall through
    }
    return contentType;
}

;// CONCATENATED MODULE: ./src/registry/client.ts








const MAX_PAGES = 10_000;
const defaultSleep = (ms) => new Promise(resolve => setTimeout(resolve, ms));
const pullScope = (ref) => `repository:${ref.repository}:pull`;
const pushScope = (ref) => `repository:${ref.repository}:pull,push`;
function createRegistryClient(options) {
    return new HttpRegistryClient(options);
}
class HttpRegistryClient {
    transport;
    pageSize;
    constructor(options) {
        this.pageSize = options.pageSize;
        this.transport = createTransport({
            credentials: options.credentials,
            retries: options.retries,
            sleep: options.sleep ?? defaultSleep,
            fetch: options.fetch ?? globalThis.fetch,
            requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
            baseDelayMs: options.baseDelayMs,
            maxDelayMs: options.maxDelayMs
        });
    }
    async ping(registry) {
        const endpoint = parseRegistry(registry);
        await this.transport.request(endpoint, { method: 'GET', path: '/v2/', authenticate: false }, async (response, fail) => {
            if (!response.ok && response.status !== 401)
                throw await fail();
            await response.body?.cancel();
        });
    }
    async listTags(image) {
        const ref = parseRepository(image);
        const query = this.pageSize === undefined ? '' : `?n=${this.pageSize}`;
        const tags = [];
        let path = `/v2/${ref.repository}/tags/list${query}`;
        for (let page = 1; path !== undefined; page++) {
            if (page > MAX_PAGES) {
                throw new RegistryError(ref.registry, `more than ${MAX_PAGES} pages of tags for ${ref.repository}`);
            }
            const result = await this.tagsPage(ref, path);
            tags.push(...result.tags);
            path = result.next;
        }
        return tags;
    }
    async getDigest(image, reference) {
        const ref = parseRepository(image);
        const request = {
            method: 'HEAD',
            path: manifestPath(ref, reference),
            headers: { Accept: ACCEPT_MANIFESTS },
            scope: pullScope(ref)
        };
        const digest = await this.transport.request(ref, request, async (response, fail) => {
            if (response.status === 404)
                return null;
            if (!response.ok)
                throw await fail();
            return response.headers.get('docker-content-digest') ?? undefined;
        });
        if (digest === null)
            return undefined;
        // Some registries omit the header on HEAD: hash the manifest instead.
        return digest ?? (await this.getManifest(image, reference))?.digest;
    }
    async getManifest(image, reference) {
        const ref = parseRepository(image);
        const request = {
            method: 'GET',
            path: manifestPath(ref, reference),
            headers: { Accept: ACCEPT_MANIFESTS },
            scope: pullScope(ref)
        };
        return await this.transport.request(ref, request, async (response, fail) => {
            if (response.status === 404) {
                await response.body?.cancel();
                return undefined;
            }
            if (!response.ok)
                throw await fail();
            const body = new Uint8Array(await response.arrayBuffer());
            const digest = response.headers.get('docker-content-digest');
            return {
                mediaType: mediaTypeOf(response, body),
                digest: digest ?? sha256Digest(body),
                body
            };
        });
    }
    async putManifest(image, tag, manifest) {
        const ref = parseRepository(image);
        if (!isTag(tag) && !/^sha256:[0-9a-f]{64}$/.test(tag)) {
            throw new RegistryError(ref.registry, `invalid tag ${JSON.stringify(tag)}`);
        }
        const request = {
            method: 'PUT',
            path: manifestPath(ref, tag),
            headers: { 'Content-Type': manifest.mediaType },
            body: manifest.body,
            scope: pushScope(ref)
        };
        return await this.transport.request(ref, request, async (response, fail) => {
            if (!response.ok)
                throw await fail();
            await response.body?.cancel();
            const digest = response.headers.get('docker-content-digest');
            return digest ?? sha256Digest(manifest.body);
        });
    }
    async mountBlob(image, digest, fromImage) {
        const ref = parseRepository(image);
        const from = parseRepository(fromImage);
        const query = `mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from.repository)}`;
        const request = {
            method: 'POST',
            path: `/v2/${ref.repository}/blobs/uploads/?${query}`,
            scope: `${pushScope(ref)} ${pullScope(from)}`
        };
        await this.transport.request(ref, request, async (response, fail) => {
            await response.body?.cancel();
            if (response.status === 201)
                return;
            if (!response.ok)
                throw await fail();
            throw new RegistryError(ref.registry, `did not mount blob ${digest} from ${from.repository} into ${ref.repository} (HTTP ${response.status})`);
        });
    }
    tagsPage(ref, path) {
        const request = { method: 'GET', path, scope: pullScope(ref) };
        return this.transport.request(ref, request, async (response, fail) => {
            if (response.status === 404) {
                await response.body?.cancel();
                return { tags: [], next: undefined };
            }
            if (!response.ok)
                throw await fail();
            const body = (await response.json());
            return { tags: body.tags ?? [], next: nextPageUrl(ref, response) };
        });
    }
}

;// CONCATENATED MODULE: ./src/publish/env.ts


/** A registry client with the run's credentials and retries. */
function createRegistry(settings) {
    const credentials = new Map(settings.logins.map(l => [l.registry, l]));
    return createRegistryClient({
        credentials: registry => credentials.get(registry),
        retries: settings.retries,
        requestTimeoutMs: settings.registryTimeout * 1000
    });
}
/** The real docker runner and registry client, with the run's credentials and retries. */
function createPublishEnv(settings, log, tempDir, onLoggedIn) {
    return {
        docker: (0,runner/* createDockerRunner */.P8)(),
        registry: createRegistry(settings),
        log,
        retry: { retries: settings.retries },
        tempDir,
        onLoggedIn,
        progress: { pushed: [], skipped: [] }
    };
}


/***/ }),

/***/ 1521:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   N_: () => (/* binding */ TransientError),
/* harmony export */   bD: () => (/* binding */ withRetry)
/* harmony export */ });
/* unused harmony exports DEFAULT_BASE_DELAY_MS, DEFAULT_MAX_DELAY_MS, RetriesExhaustedError, retryDelayMs */
/**
 * Bounded retries with exponential backoff for registry requests. Only a
 * TransientError is retried; every other error is rethrown at once.
 */
const DEFAULT_BASE_DELAY_MS = 500;
const DEFAULT_MAX_DELAY_MS = 30_000;
/** A failure worth another try: connection errors, timeouts, 5xx, 429. */
class TransientError extends Error {
    /** The server's Retry-After, when it sent one. */
    retryAfterMs;
    constructor(message, options = {}) {
        super(message, { cause: options.cause });
        this.name = 'TransientError';
        this.retryAfterMs = options.retryAfterMs;
    }
}
/** Thrown when the last attempt failed with a TransientError. */
class RetriesExhaustedError extends Error {
    attempts;
    lastError;
    constructor(describe, attempts, lastError) {
        super(`${describe} failed after ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}: ${lastError.message}`, { cause: lastError });
        this.attempts = attempts;
        this.lastError = lastError;
        this.name = 'RetriesExhaustedError';
    }
}
/** The delay before retry number `retry` (1-based) after `error`. */
function retryDelayMs(retry, error, options) {
    const maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    if (error.retryAfterMs !== undefined) {
        return Math.min(Math.max(0, error.retryAfterMs), maxDelayMs);
    }
    const baseDelayMs = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
    const backoff = Math.min(baseDelayMs * 2 ** (retry - 1), maxDelayMs);
    const random = options.random ?? Math.random;
    return Math.round(backoff / 2 + (random() * backoff) / 2);
}
async function withRetry(operation, options) {
    const { retries } = options;
    if (!Number.isInteger(retries) || retries < 0) {
        throw new Error(`${options.describe}: retries must be a whole number >= 0, got ${retries}`);
    }
    for (let attempt = 1;; attempt++) {
        try {
            return await operation();
        }
        catch (error) {
            if (!(error instanceof TransientError))
                throw error;
            if (attempt > retries) {
                throw new RetriesExhaustedError(options.describe, attempt, error);
            }
            await options.sleep(retryDelayMs(attempt, error, options));
        }
    }
}


/***/ })

};
