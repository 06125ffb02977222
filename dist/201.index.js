export const id = 201;
export const ids = [201,416];
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

/***/ 7201:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  publish: () => (/* binding */ publish)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/docker/buildx-args.ts
var buildx_args = __webpack_require__(1722);
// EXTERNAL MODULE: ./src/docker/runner.ts
var runner = __webpack_require__(7240);
;// CONCATENATED MODULE: ./src/docker/diagnose.ts

const DAEMON_DOWN = /Cannot connect to the Docker daemon|Is the docker daemon running|error during connect/i;
const UNAUTHORIZED = /401 Unauthorized|unauthorized:|incorrect username or password/i;
const FORBIDDEN = /403 Forbidden|denied:|insufficient_scope/i;
const UNREACHABLE = /connection refused|no such host|i\/o timeout|network is unreachable|connection reset|TLS handshake timeout|server gave HTTP response to HTTPS client/i;
function firstMatch(output, pattern) {
    return (output
        .split('\n')
        .find(line => pattern.test(line))
        ?.trim() ?? '');
}
/**
 * Turns a failed docker command into the message a user needs: which thing
 * is wrong (daemon, credentials, registry) and the line docker said it in.
 */
function diagnose(error, registries = []) {
    if (!(error instanceof runner/* DockerCommandError */.YJ))
        return error;
    const { output } = error;
    const registry = registries.length === 1
        ? registries[0]
        : registries.find(r => output.includes(r));
    const where = registry === undefined ? 'the registry' : `registry ${registry}`;
    if (DAEMON_DOWN.test(output))
        return new Error(`the Docker daemon is not reachable (${firstMatch(output, DAEMON_DOWN)}): start dockerd or set DOCKER_HOST`, { cause: error });
    if (UNAUTHORIZED.test(output))
        return new Error(`${where} refused the credentials: wrong username or password (${firstMatch(output, UNAUTHORIZED)})`, { cause: error });
    if (FORBIDDEN.test(output))
        return new Error(`${where} denied access: the user may not push there (${firstMatch(output, FORBIDDEN)})`, { cause: error });
    if (UNREACHABLE.test(output))
        return new Error(`${where} is unreachable (${firstMatch(output, UNREACHABLE)})`, { cause: error });
    return error;
}

;// CONCATENATED MODULE: ./src/docker/metadata.ts
function stringAt(raw, key) {
    const value = raw[key];
    return typeof value === 'string' ? value : '';
}
function parseBuildMetadata(text) {
    const raw = JSON.parse(text);
    const descriptor = raw['containerimage.descriptor'];
    return {
        // containerimage.digest is the pushed manifest (the index, multi-platform)
        digest: stringAt(raw, 'containerimage.digest') || (descriptor?.digest ?? ''),
        imageId: stringAt(raw, 'containerimage.config.digest'),
        raw
    };
}

// EXTERNAL MODULE: ./src/secrets.ts
var src_secrets = __webpack_require__(7194);
;// CONCATENATED MODULE: ./src/docker/secret-files.ts



/**
 * Writes each `id=value` build secret to its own file (mode 600) and returns
 * the `id=…,src=…` specs for buildx, so no value reaches a command line.
 */
function writeSecretFiles(secrets, dir) {
    if (secrets.length === 0)
        return [];
    const secretDir = (0,external_node_path_.join)(dir, 'secrets');
    (0,external_node_fs_.mkdirSync)(secretDir, { recursive: true, mode: 0o700 });
    return secrets.map((secret, index) => {
        const { id, value } = (0,src_secrets/* splitSecret */.j)(secret, index);
        const file = (0,external_node_path_.join)(secretDir, `${index}-${id}`);
        (0,external_node_fs_.writeFileSync)(file, value, { mode: 0o600 });
        return `id=${id},src=${file}`;
    });
}

;// CONCATENATED MODULE: ./src/docker/build.ts







function buildFailure(error, registries) {
    const diagnosed = diagnose(error, registries);
    if (diagnosed !== error || !(error instanceof runner/* DockerCommandError */.YJ))
        return diagnosed;
    return new Error(`the build failed:\n${error.output.trim().split('\n').slice(-15).join('\n')}`, {
        cause: error
    });
}
async function buildxBuild(docker, job) {
    const request = {
        ...job,
        metadataFile: (0,external_node_path_.join)(job.tempDir, 'build-metadata.json'),
        secretSpecs: writeSecretFiles(job.build.secrets, job.tempDir)
    };
    try {
        await docker.run((0,buildx_args/* buildxBuildArgs */.Ct)(request));
    }
    catch (error) {
        if ((0,runner/* isBuildxMissing */.Tk)(error))
            throw new runner/* BuildxMissingError */.Zn();
        throw buildFailure(error, job.registries);
    }
    return parseBuildMetadata((0,external_node_fs_.readFileSync)(request.metadataFile, 'utf8'));
}
/** `docker build` + `docker push` per tag, for engines without buildx. */
/**
 * `docker build` into the local image store, for engines without buildx; the
 * publish flow pushes it (its digest is known only once pushed).
 */
async function classicBuild(docker, job, log) {
    const { platforms } = job.build;
    if (platforms.length > 1)
        throw new Error(`input "platforms": building ${platforms.join(', ')} needs buildx, which this docker lacks`);
    log.notice('docker buildx is not available: building with the classic `docker build` and pushing with `docker push`');
    const iidFile = (0,external_node_path_.join)(job.tempDir, 'iid');
    try {
        await docker.run((0,buildx_args/* classicBuildArgs */.y4)(job, iidFile));
    }
    catch (error) {
        throw buildFailure(error, job.registries);
    }
    const imageId = (0,external_node_fs_.readFileSync)(iidFile, 'utf8').trim();
    return {
        digest: '',
        imageId,
        raw: { 'containerimage.config.digest': imageId }
    };
}

// EXTERNAL MODULE: ./src/docker/commands.ts
var commands = __webpack_require__(6872);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/docker/login-args.ts
var login_args = __webpack_require__(6211);
// EXTERNAL MODULE: ./src/registry/retry.ts
var retry = __webpack_require__(1521);
;// CONCATENATED MODULE: ./src/docker/retrying.ts


const TRANSIENT = /connection refused|connection reset|i\/o timeout|TLS handshake timeout|EOF$|50[0234] |Service Unavailable|Bad Gateway|Gateway Time-?out|Internal Server Error|429 |Too Many Requests|toomanyrequests/im;
const realSleep = (ms) => new Promise(r => setTimeout(r, ms));
/**
 * Runs a docker command again on a transient registry fault (connection
 * errors, 5xx, 429); anything else, a 401 included, fails at once. After the
 * last try the docker error itself is thrown, so it can be diagnosed.
 */
async function retryDocker(work, policy, describe) {
    let last;
    try {
        return await (0,retry/* withRetry */.bD)(async () => {
            try {
                return await work();
            }
            catch (error) {
                last = error;
                if (error instanceof runner/* DockerCommandError */.YJ &&
                    TRANSIENT.test(error.output))
                    throw new retry/* TransientError */.N_(error.message);
                throw error;
            }
        }, { retries: policy.retries, sleep: policy.sleep ?? realSleep, describe });
    }
    catch (error) {
        throw last instanceof runner/* DockerCommandError */.YJ ? last : error;
    }
}

;// CONCATENATED MODULE: ./src/docker/login.ts




/**
 * Logs in to each registry with the password on stdin. `onLoggedIn` runs
 * right after each success, so the post step can undo exactly those even if
 * a later login fails.
 */
async function loginAll(docker, logins, onLoggedIn, retry) {
    for (const login of logins) {
        try {
            await retryDocker(() => docker.run((0,login_args/* loginArgs */.b)(login.registry, login.username), {
                input: login.password
            }), retry, `login to ${login.registry}`);
        }
        catch (error) {
            throw diagnose(error, [login.registry]);
        }
        onLoggedIn(login.registry);
    }
}
/** Logs out of each registry; a failure is a warning, never an error. */
async function logoutAll(docker, registries, log) {
    for (const registry of registries) {
        try {
            await docker.run(logoutArgs(registry), { quiet: true });
            log.info(`Logged out of ${registry}`);
        }
        catch (error) {
            log.warning(`logout of ${registry} failed: ${errorMessage(error)}`);
        }
    }
}

;// CONCATENATED MODULE: ./src/publish/context.ts
/** The result in the plan's order (tags are pointed in parallel). */
function finalResult(refs, progress, build) {
    const order = (ref) => refs.indexOf(ref);
    return {
        digest: build.digest,
        imageid: build.imageId,
        metadata: build.metadata,
        pushed: [...progress.pushed].sort((a, b) => order(a.ref) - order(b.ref)),
        skipped: progress.skipped
    };
}

;// CONCATENATED MODULE: ./src/publish/push.ts


const PUSHED_DIGEST = /digest: (sha256:[0-9a-f]{64})/;
/**
 * `docker push` of one reference (the daemon sends the image from its store,
 * each layer once); returns the digest the registry confirmed.
 */
async function dockerPush(image, tag, env) {
    const ref = `${image.name}:${tag}`;
    const { stdout } = await retryDocker(() => env.docker.run(['push', ref]), env.retry, `push ${ref}`).catch((error) => {
        throw diagnose(error, [image.registry]);
    });
    const digest = PUSHED_DIGEST.exec(stdout)?.[1] ?? '';
    env.progress.pushed.push({ ref, digest });
    return digest;
}

// EXTERNAL MODULE: ./src/publish/registry-state.ts
var registry_state = __webpack_require__(3416);
;// CONCATENATED MODULE: ./src/publish/tagging.ts
/** The first tag to publish for an image: an exact one when there is one. */
function leadTag(decision) {
    return decision.exact[0] ?? decision.floating[0];
}
function recordSkipped(plans, progress, log) {
    for (const { image, decision } of plans) {
        for (const { tag, reason } of decision.skipped) {
            const ref = `${image.name}:${tag.name}`;
            progress.skipped.push({ ref, reason });
            log.warning(`${ref} left alone: ${reason}`);
        }
        for (const tag of decision.unchanged)
            log.info(`${image.name}:${tag.name} already points at this digest: unchanged`);
    }
}
/**
 * Points tags at a manifest already in the image's repository: one manifest
 * PUT per tag, in parallel. Every exact tag of every image first; the
 * floating ones only after all of those succeeded.
 */
async function pointTags(registry, plans, progress) {
    const pending = (pick) => plans.flatMap(({ image, decision, digest }) => pick(decision)
        .filter(tag => tag !== leadTag(decision))
        .map(tag => ({ image, tag, digest })));
    const manifests = new Map();
    const manifestOf = (image, digest) => {
        if (!manifests.has(image.name))
            manifests.set(image.name, registry.getManifest(image.name, digest));
        return manifests.get(image.name);
    };
    for (const phase of [pending(d => d.exact), pending(d => d.floating)]) {
        await Promise.all(phase.map(async ({ image, tag, digest }) => {
            const manifest = await manifestOf(image, digest);
            if (manifest === undefined)
                throw new Error(`${image.name}@${digest} vanished from the registry before it could be tagged ${tag.name}`);
            await registry.putManifest(image.name, tag.name, manifest);
            progress.pushed.push({ ref: `${image.name}:${tag.name}`, digest });
        }));
    }
}

;// CONCATENATED MODULE: ./src/publish/build-mode.ts









/** Pushes each image once, under its lead tag; returns the digest the registry confirmed. */
async function pushLeadTags(plans, env) {
    let digest = '';
    for (const { image, decision } of plans) {
        const lead = leadTag(decision);
        if (lead !== undefined)
            digest = (await dockerPush(image, lead.name, env)) || digest;
    }
    return digest;
}
/** buildx when it is there; else the classic builder, and a notice saying so. */
async function buildImage(job, env) {
    try {
        return await buildxBuild(env.docker, job);
    }
    catch (error) {
        if (!(error instanceof runner/* BuildxMissingError */.Zn))
            throw error;
        return classicBuild(env.docker, job, env.log);
    }
}
function buildJob(settings, plan, env, refs, target) {
    const build = {
        push: (0,buildx_args/* pushingBuild */.Hh)(settings.build),
        store: { ...settings.build, push: false, load: true },
        'as-asked': settings.build
    }[target];
    return {
        ...plan,
        refs,
        build,
        tempDir: env.tempDir,
        registries: [...new Set(plan.images.map(i => i.registry))]
    };
}
/** Points the remaining tags at the pushed digest: exact ones, then floating. */
async function finish(plans, digest, built, plan, env) {
    await pointTags(env.registry, plans.map(p => ({ ...p, digest })), env.progress);
    for (const p of env.progress.pushed)
        env.log.info(`Pushed ${p.ref}@${p.digest}`);
    return finalResult(plan.refs, env.progress, {
        digest,
        imageId: built.imageId,
        metadata: built.raw
    });
}
/**
 * No release tag of ours exists yet, so no decision depends on the digest:
 * buildx pushes each image under its lead tag itself, as a plain
 * `buildx build --push` would, and the other tags follow by manifest PUT.
 */
async function publishDirect(settings, plan, env, states) {
    const plans = (0,registry_state/* decideImages */.rY)(states, plan.tags, () => '', settings);
    (0,registry_state/* refuseConflicts */.wz)(plans);
    recordSkipped(plans, env.progress, env.log);
    const leads = plans.flatMap(({ image, decision }) => {
        const lead = leadTag(decision);
        return lead === undefined ? [] : [`${image.name}:${lead.name}`];
    });
    if (leads.length === 0)
        return finalResult(plan.refs, env.progress, {
            digest: '',
            imageId: '',
            metadata: {}
        });
    const built = await env.log.group('Build and push', () => buildImage(buildJob(settings, plan, env, leads, 'push'), env));
    // the classic builder only builds (no digest yet): push it as after a check
    const digest = built.digest || (await pushLeadTags(plans, env));
    if (built.digest !== '')
        for (const ref of leads)
            env.progress.pushed.push({ ref, digest });
    return finish(plans, digest, built, plan, env);
}
/**
 * A release tag of ours exists already: build into the local store first, so
 * the guards can compare digests (the same digest is a no-op, another one is
 * refused) before anything is pushed.
 */
async function publishCompared(settings, plan, env, states) {
    const built = await env.log.group('Build', () => buildImage(buildJob(settings, plan, env, plan.refs, 'store'), env));
    const plans = (0,registry_state/* decideImages */.rY)(states, plan.tags, () => built.digest, settings);
    (0,registry_state/* refuseConflicts */.wz)(plans);
    recordSkipped(plans, env.progress, env.log);
    const pushed = await env.log.group('Push', () => pushLeadTags(plans, env));
    return finish(plans, built.digest || pushed, built, plan, env);
}
const releaseTagExists = (states, tags) => states.some(({ existingTags }) => tags.some(tag => tag.kind === 'version' && existingTags.includes(tag.name)));
/**
 * mode build: log in while the registries are read (the guards need no
 * digest to read), build, decide (immutable release tags, forward-only
 * floating tags), push each image once under an exact tag, then point the
 * other exact tags and finally the floating ones over the registry API.
 */
async function publishBuild(settings, plan, env) {
    const push = settings.build.push;
    const states = push
        ? (0,registry_state/* readImageStates */.i2)(env.registry, plan.images, plan.tags)
        : Promise.resolve([]);
    states.catch(() => undefined); // a failed login must not leave it unhandled
    if ((0,commands/* needsLogin */.$)(settings))
        await env.log.group('Login', () => loginAll(env.docker, settings.logins, env.onLoggedIn, env.retry));
    if (!push) {
        const built = await env.log.group('Build', () => buildImage(buildJob(settings, plan, env, plan.refs, 'as-asked'), env));
        return finalResult(plan.refs, env.progress, {
            ...built,
            metadata: built.raw
        });
    }
    const before = await env.log.group('Check the registries', () => states);
    return releaseTagExists(before, plan.tags)
        ? publishCompared(settings, plan, env, before)
        : publishDirect(settings, plan, env, before);
}

// EXTERNAL MODULE: ./src/publish/staging.ts
var staging = __webpack_require__(1206);
;// CONCATENATED MODULE: ./src/publish/digest-mode.ts





/**
 * mode digest, one leg of a matrix: builds its one platform and pushes it
 * under this run's staging tag only, so no tag a user pulls moves; the merge
 * job finds it there by name.
 */
async function publishDigest(settings, plan, env) {
    const platform = settings.build.platforms[0];
    const tag = (0,staging/* stagingTag */.a)(plan.buildId, platform);
    await env.log.group('Login', () => loginAll(env.docker, settings.logins, env.onLoggedIn, env.retry));
    const job = {
        ...plan,
        refs: plan.images.map(image => `${image.name}:${tag}`),
        build: { ...settings.build, push: false, load: true },
        tempDir: env.tempDir,
        registries: [...new Set(plan.images.map(i => i.registry))]
    };
    const built = await env.log.group('Build', () => buildImage(job, env));
    let digest = built.digest;
    await env.log.group('Push', async () => {
        for (const image of plan.images)
            digest = (await dockerPush(image, tag, env)) || digest;
    });
    env.log.info(`${platform} is ${digest}, staged as ${tag} for the merge job`);
    return finalResult(job.refs, env.progress, {
        digest,
        imageId: built.imageId,
        metadata: built.raw
    });
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./src/docker/imagetools-args.ts
var imagetools_args = __webpack_require__(5978);
;// CONCATENATED MODULE: ./src/docker/imagetools.ts





function failure(error, registries) {
    return (0,runner/* isBuildxMissing */.Tk)(error)
        ? new runner/* BuildxMissingError */.Zn()
        : diagnose(error, registries);
}
/**
 * The digest `imagetools create` will give the result, before anything is
 * written: its dry run prints exactly the bytes it would push.
 */
async function predictDigest(docker, target, sources, registries) {
    const { stdout } = await docker
        .run((0,imagetools_args/* imagetoolsCreateArgs */.Y)([target], sources, true), { quiet: true })
        .catch((error) => {
        throw failure(error, registries);
    });
    const bytes = stdout.replace(/\n$/, '');
    return `sha256:${(0,external_node_crypto_.createHash)('sha256').update(bytes).digest('hex')}`;
}
async function createIndex(docker, targets, sources, retry, registries) {
    await retryDocker(() => docker.run((0,imagetools_args/* imagetoolsCreateArgs */.Y)(targets, sources)), retry, `imagetools create ${targets.join(', ')}`).catch((error) => {
        throw failure(error, registries);
    });
}

;// CONCATENATED MODULE: ./src/publish/merge-mode.ts






/** Each platform's digest, from the staging tags the digest legs of this run pushed. */
async function stagedDigests(settings, plan, image, env) {
    return Promise.all(settings.build.platforms.map(async (platform) => {
        const tag = (0,staging/* stagingTag */.a)(plan.buildId, platform);
        const digest = await env.registry.getDigest(image.name, tag);
        if (digest === undefined)
            throw new Error(`input "platforms": no ${platform} build of this run at ${image.name}:${tag}: did its mode: digest job succeed?`);
        return digest;
    }));
}
/**
 * mode merge, the job after the matrix: joins the platforms the digest legs
 * staged into one index under the computed tags, with the same guards and
 * order as a build (its digest is known before anything is written).
 */
async function publishMerge(settings, plan, env) {
    const [first] = plan.images;
    const registries = [...new Set(plan.images.map(i => i.registry))];
    const digests = await stagedDigests(settings, plan, first, env);
    const sources = (image) => digests.map(d => `${image.name}@${d}`);
    await env.log.group('Login', () => loginAll(env.docker, settings.logins, env.onLoggedIn, env.retry));
    const digest = await predictDigest(env.docker, `${first.name}:merge`, sources(first), registries);
    const plans = await env.log.group('Check the registries', () => (0,registry_state.decideForImages)(env.registry, plan.images, plan.tags, () => digest, settings));
    (0,registry_state/* refuseConflicts */.wz)(plans);
    recordSkipped(plans, env.progress, env.log);
    await env.log.group('Merge', async () => {
        for (const { image, decision } of plans) {
            const lead = leadTag(decision);
            if (lead === undefined)
                continue;
            const target = `${image.name}:${lead.name}`;
            await createIndex(env.docker, [target], sources(image), env.retry, registries);
            env.progress.pushed.push({ ref: target, digest });
        }
        await pointTags(env.registry, plans, env.progress);
    });
    return finalResult(plan.refs, env.progress, {
        digest,
        imageId: '',
        metadata: {}
    });
}

// EXTERNAL MODULE: ./src/images.ts
var src_images = __webpack_require__(4525);
;// CONCATENATED MODULE: ./src/registry/copy.ts
/**
 * Copies an image (an index with all its platforms, or one manifest) to
 * another repository of the same registry: blobs are mounted, not uploaded,
 * and every manifest is put as it is, so the digest stays the same.
 */
async function copyWithinRegistry(client, fromImage, digest, toImage) {
    const manifest = await client.getManifest(fromImage, digest);
    if (manifest === undefined)
        throw new Error(`${fromImage}@${digest} is not in the registry`);
    const json = JSON.parse(new TextDecoder().decode(manifest.body));
    for (const child of json.manifests ?? [])
        await copyWithinRegistry(client, fromImage, child.digest, toImage);
    const blobs = [json.config, ...(json.layers ?? [])].flatMap(b => b ? [b.digest] : []);
    await Promise.all(blobs.map(blob => client.mountBlob(toImage, blob, fromImage)));
    await client.putManifest(toImage, digest, manifest);
    return manifest;
}
/** The platforms an index lists (attestation entries left out); [] for one manifest. */
function indexPlatforms(manifest) {
    const json = JSON.parse(new TextDecoder().decode(manifest.body));
    return (json.manifests ?? []).flatMap(({ platform }) => platform === undefined || platform.os === 'unknown'
        ? []
        : [
            [platform.os, platform.architecture, platform.variant]
                .filter(Boolean)
                .join('/')
        ]);
}

;// CONCATENATED MODULE: ./src/publish/promote-mode.ts







async function resolveSource(settings, env) {
    const ref = (0,src_images/* parseImageReference */.o_)(settings.source, 'source');
    const digest = await env.registry.getDigest(ref.image.name, ref.reference);
    if (digest === undefined)
        throw new Error(`input "source": ${settings.source} was not found in registry ${ref.image.registry}`);
    return { ...ref, digest, pinned: `${ref.image.name}@${digest}` };
}
/** Where a copy to another registry lands: imagetools may wrap a single manifest. */
function predictCopy(image, source, env) {
    return predictDigest(env.docker, `${image.name}:probe`, [source.pinned], [image.registry, source.image.registry]);
}
async function copyLead(plan, source, env) {
    const lead = leadTag(plan.decision);
    if (lead === undefined)
        return;
    const target = `${plan.image.name}:${lead.name}`;
    if (plan.image.registry === source.image.registry) {
        const manifest = await copyWithinRegistry(env.registry, source.image.name, source.digest, plan.image.name);
        await env.registry.putManifest(plan.image.name, lead.name, manifest);
    }
    else {
        await createIndex(env.docker, [target], [source.pinned], env.retry, [
            plan.image.registry,
            source.image.registry
        ]);
    }
    env.progress.pushed.push({ ref: target, digest: plan.digest });
}
/**
 * Docker (the CLI's imagetools, no daemon) is needed only to copy between
 * registries; within one, the registry API does it all.
 */
async function loginIfCrossRegistry(settings, source, env) {
    if (settings.images.every(i => i.registry === source.image.registry))
        return;
    await env.log.group('Login', () => loginAll(env.docker, settings.logins, env.onLoggedIn, env.retry));
}
/**
 * mode promote: the source image, every platform, under the computed tags,
 * without a build or a layer pull. Same registry: blobs are mounted and
 * manifests put as they are (same digest, nothing uploaded); another
 * registry: `imagetools create`. The guards run before anything is written.
 */
async function publishPromote(settings, plan, env) {
    const source = await resolveSource(settings, env);
    await loginIfCrossRegistry(settings, source, env);
    const digests = new Map();
    for (const image of plan.images)
        digests.set(image.name, image.registry === source.image.registry
            ? source.digest
            : await predictCopy(image, source, env));
    const plans = await env.log.group('Check the registries', () => (0,registry_state.decideForImages)(env.registry, plan.images, plan.tags, image => digests.get(image.name) ?? '', settings));
    (0,registry_state/* refuseConflicts */.wz)(plans);
    recordSkipped(plans, env.progress, env.log);
    await env.log.group('Copy', async () => {
        for (const imagePlan of plans)
            await copyLead(imagePlan, source, env);
        await pointTags(env.registry, plans, env.progress);
    });
    for (const p of env.progress.pushed)
        env.log.info(`Pushed ${p.ref}@${p.digest}`);
    const manifest = await env.registry.getManifest(source.image.name, source.digest);
    return {
        ...finalResult(plan.refs, env.progress, {
            digest: source.digest,
            imageId: '',
            metadata: {}
        }),
        platforms: manifest === undefined ? [] : indexPlatforms(manifest)
    };
}

;// CONCATENATED MODULE: ./src/publish.ts




/** Runs the mode's publish; every mode reports progress in env.progress as it goes. */
function publish(settings, plan, env) {
    switch (settings.mode) {
        case 'build':
            return publishBuild(settings, plan, env);
        case 'promote':
            return publishPromote(settings, plan, env);
        case 'digest':
            return publishDigest(settings, plan, env);
        case 'merge':
            return publishMerge(settings, plan, env);
    }
}


/***/ }),

/***/ 3416:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   decideForImages: () => (/* binding */ decideForImages),
/* harmony export */   i2: () => (/* binding */ readImageStates),
/* harmony export */   rY: () => (/* binding */ decideImages),
/* harmony export */   wz: () => (/* binding */ refuseConflicts)
/* harmony export */ });
/* harmony import */ var _guards_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1799);

/** Reads each image's repository (its tags, and the digests of ours that exist). */
function readImageStates(registry, images, tags) {
    return Promise.all(images.map(async (image) => {
        const existingTags = await registry.listTags(image.name);
        const existing = new Set(existingTags);
        // release tags for the immutability check, floating ones to spot no-ops
        const ours = tags.filter(t => existing.has(t.name));
        const existingDigests = {};
        await Promise.all(ours.map(async (tag) => {
            const digest = await registry.getDigest(image.name, tag.name);
            if (digest !== undefined)
                existingDigests[tag.name] = digest;
        }));
        return { image, existingTags, existingDigests };
    }));
}
/** Decides, per image, what may be pushed where (pure: the states were read before). */
function decideImages(states, tags, digestFor, settings) {
    return states.map(({ image, existingTags, existingDigests }) => {
        const newDigest = digestFor(image);
        const decision = (0,_guards_js__WEBPACK_IMPORTED_MODULE_0__/* .decideTags */ .w)({
            tags,
            existingTags,
            existingDigests,
            newDigest,
            floatingGuard: settings.floatingGuard,
            immutableTags: settings.immutableTags
        });
        return {
            image,
            decision: settleFloating(decision, existingDigests, newDigest),
            digest: newDigest
        };
    });
}
/** Reads the registries, then decides. */
async function decideForImages(registry, images, tags, digestFor, settings) {
    const states = await readImageStates(registry, images, tags);
    return decideImages(states, tags, digestFor, settings);
}
/** Fails before anything is pushed when a release tag would be overwritten. */
function refuseConflicts(plans) {
    const conflicts = plans.flatMap(({ image, decision }) => decision.conflicts.map(c => `${image.name}: ${c}`));
    if (conflicts.length > 0)
        throw new Error(`release tags are immutable (immutable-tags: error), so nothing was pushed:\n${conflicts.join('\n')}`);
}
/** Floating tags that already point at the new digest need no PUT (re-runs are no-ops). */
function settleFloating(decision, existingDigests, newDigest) {
    if (newDigest === '')
        return decision;
    const same = (tag) => existingDigests[tag.name] === newDigest;
    return {
        ...decision,
        floating: decision.floating.filter(tag => !same(tag)),
        unchanged: [...decision.unchanged, ...decision.floating.filter(same)]
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
