export const id = 686;
export const ids = [686];
export const modules = {

/***/ 2614:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  w: () => (/* binding */ decideTags),
  K: () => (/* binding */ describeDecision)
});

// EXTERNAL MODULE: ./src/guards/channels.ts
var channels = __webpack_require__(2012);
// EXTERNAL MODULE: ./src/tags/version.ts
var version = __webpack_require__(2561);
;// CONCATENATED MODULE: ./src/guards/reasons.ts

const OVERRIDE = 'Release tags are immutable: set immutable-tags: skip to keep it and ' +
    'publish the other tags, or immutable-tags: overwrite to replace it.';
function where(current) {
    return current === undefined
        ? 'at a digest that could not be read'
        : `at ${current}`;
}
/** What replacing the tag would do: to a known digest, or to a build's. */
function replacement(current, newDigest) {
    if (newDigest !== '')
        return `this run would point it at ${newDigest}`;
    return current === undefined
        ? 'this build would replace it'
        : `this build would replace it unless the build reproduces ${current}`;
}
/** immutable-tags: error, the message that stops the publish. */
function conflictMessage(tag, current, newDigest) {
    return (`release tag ${tag.name} already exists ${where(current)}, and ` +
        `${replacement(current, newDigest)}. ${OVERRIDE}`);
}
/** immutable-tags: skip, why the release tag was left as it is. */
function keptReason(current, newDigest) {
    const unless = newDigest === '' && current !== undefined
        ? ', unless the build reproduces that digest'
        : '';
    const not = newDigest === '' ? '' : `, not this run's ${newDigest}`;
    return (`already published ${where(current)}${not}; kept as it is` +
        `${unless} (immutable-tags: skip)`);
}
/** Why a floating tag stays when its release tag was kept. */
function releaseKeptReason(release) {
    return (`its release tag ${release.name} was kept (immutable-tags: skip), ` +
        `so this tag must not point at an image that ${release.name} does not`);
}
function lineLabel(line) {
    const target = (0,version/* parseReleaseVersion */.LQ)(line.version);
    if (line.scope === 'latest' || target === undefined) {
        return '(latest follows the newest release)';
    }
    return line.scope === 'major'
        ? `in the ${target.major}.x line`
        : `in the ${target.major}.${target.minor}.x line`;
}
/** Why the floating guard holds a tag back: the newer release, named. */
function heldBackReason(line, newer) {
    return (`${newer.name} is already published, newer than ${line.version} ` +
        lineLabel(line));
}

;// CONCATENATED MODULE: ./src/guards.ts


/**
 * Release tags are immutable: an existing one that points elsewhere (or at a
 * digest we cannot compare yet) is a conflict, kept, or overwritten.
 */
function versionVerdict(tag, input, existing) {
    const known = Object.hasOwn(input.existingDigests, tag.name);
    if (!known && !existing.has(tag.name))
        return { to: 'exact' };
    const digest = known ? input.existingDigests[tag.name] : '';
    const current = digest === '' ? undefined : digest;
    if (current !== undefined && current === input.newDigest) {
        return { to: 'unchanged' };
    }
    switch (input.immutableTags) {
        case 'overwrite':
            return { to: 'exact' };
        case 'skip':
            return { to: 'skipped', reason: keptReason(current, input.newDigest) };
        case 'error':
            return {
                to: 'conflict',
                message: conflictMessage(tag, current, input.newDigest)
            };
    }
}
/**
 * A floating tag on a release line stays when its release tag was kept, or
 * (with the guard on) when its channel already has a newer release in the
 * line. Any other floating tag moves.
 */
function floatingVerdict(tag, input, kept, index) {
    const line = tag.line;
    if (line === undefined)
        return { to: 'floating' };
    const release = kept.find(k => (0,channels/* splitsOf */.pw)(k.name, line.version).length > 0);
    if (release !== undefined) {
        return { to: 'skipped', reason: releaseKeptReason(release) };
    }
    if (index === undefined)
        return { to: 'floating' };
    const channel = (0,channels/* channelOf */.ts)(tag.name, line, input.tags);
    const newer = (0,channels/* newerInLine */.jk)(line, index.stable(channel));
    return newer === undefined
        ? { to: 'floating' }
        : { to: 'skipped', reason: heldBackReason(line, newer) };
}
function place(decision, tag, verdict) {
    switch (verdict.to) {
        case 'exact':
        case 'floating':
        case 'unchanged':
            decision[verdict.to].push(tag);
            return;
        case 'skipped':
            decision.skipped.push({ tag, reason: verdict.reason });
            return;
        case 'conflict':
            decision.conflicts.push(verdict.message);
    }
}
/**
 * The safety decisions of SPEC §2 for one image, without I/O: the caller
 * reads the registry and passes what it found. Exact tags (version, fixed)
 * go first, floating tags after them; skipped and unchanged tags are left
 * alone. Any conflict means nothing may be tagged.
 */
function decideTags(input) {
    const existing = new Set(input.existingTags);
    const verdicts = input.tags.map(tag => tag.kind === 'version' ? versionVerdict(tag, input, existing) : undefined);
    const kept = input.tags.filter((_, i) => verdicts[i]?.to === 'skipped');
    const index = input.floatingGuard
        ? new channels/* ReleaseIndex */.el(input.existingTags)
        : undefined;
    const decision = {
        exact: [],
        floating: [],
        skipped: [],
        unchanged: [],
        conflicts: []
    };
    input.tags.forEach((tag, i) => {
        const verdict = verdicts[i] ??
            (tag.kind === 'fixed'
                ? { to: 'exact' }
                : floatingVerdict(tag, input, kept, index));
        place(decision, tag, verdict);
    });
    return decision;
}
/**
 * Human lines for the log and the dry-run plan, in publish order: a
 * conflict stops everything, so then only the conflicts are shown.
 */
function describeDecision(decision, image) {
    if (decision.conflicts.length > 0) {
        return [
            ...decision.conflicts.map(message => `${image}: ${message}`),
            `${image}: nothing is tagged (immutable-tags: error)`
        ];
    }
    const ref = (tag) => `${image}:${tag.name}`;
    return [
        ...decision.exact.map(tag => `${ref(tag)} set first (exact tag)`),
        ...decision.unchanged.map(tag => `${ref(tag)} unchanged: already points at this digest`),
        ...decision.floating.map(tag => `${ref(tag)} moves after the exact tags (floating tag)`),
        ...decision.skipped.map(({ tag, reason }) => `${ref(tag)} ${tag.kind === 'version' ? 'kept' : 'held back'}: ${reason}`)
    ];
}


/***/ }),

/***/ 2012:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   el: () => (/* binding */ ReleaseIndex),
/* harmony export */   jk: () => (/* binding */ newerInLine),
/* harmony export */   pw: () => (/* binding */ splitsOf),
/* harmony export */   ts: () => (/* binding */ channelOf)
/* harmony export */ });
/* harmony import */ var _tags_version_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2561);

const NO_AFFIXES = { prefix: '', suffix: '' };
const VERSION_START = /^[0-9vV]$/;
const VERSION_END = /^[0-9]$/;
function width(channel) {
    return channel.prefix.length + channel.suffix.length;
}
/** Whether a tag name is prefix + something + suffix of the channel. */
function fits(channel, name) {
    return (name.length >= width(channel) &&
        name.startsWith(channel.prefix) &&
        name.endsWith(channel.suffix));
}
/**
 * Every way to read a tag name as prefix + a stable version whose X.Y.Z is
 * `core` + suffix: `1.4.5-debug` reads as '' + 1.4.5 + '-debug' (the whole
 * name is a pre-release, so it does not count); `v1.4.5` as '' + v1.4.5 and
 * as 'v' + 1.4.5.
 */
function splitsOf(name, core) {
    const found = [];
    for (let start = 0; start < name.length; start++) {
        if (!VERSION_START.test(name[start]))
            continue;
        for (let end = name.length; end > start; end--) {
            if (!VERSION_END.test(name[end - 1]))
                continue;
            const version = (0,_tags_version_js__WEBPACK_IMPORTED_MODULE_0__/* .parseReleaseVersion */ .LQ)(name.slice(start, end));
            if (version?.stable !== true || (0,_tags_version_js__WEBPACK_IMPORTED_MODULE_0__/* .coreVersion */ .kI)(version) !== core)
                continue;
            found.push({ prefix: name.slice(0, start), suffix: name.slice(end) });
        }
    }
    return found;
}
/**
 * The channel of a floating tag, learned from this run's version tags for
 * the same release: among the readings that fit the floating tag's own name
 * (`1.4-debug` fits '' + … + '-debug', plain `latest` does not), the one with
 * the longest affixes; no affixes when no version tag tells.
 */
function channelOf(name, line, tags) {
    let best = NO_AFFIXES;
    for (const source of tags) {
        if (source.kind !== 'version')
            continue;
        for (const channel of splitsOf(source.name, line.version)) {
            if (fits(channel, name) && width(channel) > width(best)) {
                best = channel;
            }
        }
    }
    return best;
}
/** The stable releases among a repository's tags, per channel, read once. */
class ReleaseIndex {
    existingTags;
    byChannel = new Map();
    constructor(existingTags) {
        this.existingTags = existingTags;
    }
    /** Existing tags of the channel whose middle is a stable version. */
    stable(channel) {
        const key = JSON.stringify([channel.prefix, channel.suffix]);
        let published = this.byChannel.get(key);
        if (published === undefined) {
            published = [];
            for (const name of this.existingTags) {
                if (!fits(channel, name))
                    continue;
                const middle = name.slice(channel.prefix.length, name.length - channel.suffix.length);
                const version = (0,_tags_version_js__WEBPACK_IMPORTED_MODULE_0__/* .parseReleaseVersion */ .LQ)(middle);
                if (version?.stable === true)
                    published.push({ name, version });
            }
            this.byChannel.set(key, published);
        }
        return published;
    }
}
function inLine(scope, target, version) {
    switch (scope) {
        case 'latest':
            return true;
        case 'major':
            return version.major === target.major;
        case 'minor':
            return version.major === target.major && version.minor === target.minor;
    }
}
/**
 * The newest published release in the tag's line that is newer than the
 * release the tag would point at, if any: then the tag must not move.
 */
function newerInLine(line, published) {
    const target = (0,_tags_version_js__WEBPACK_IMPORTED_MODULE_0__/* .parseReleaseVersion */ .LQ)(line.version);
    if (target === undefined)
        return undefined;
    let newest;
    for (const candidate of published) {
        if (!inLine(line.scope, target, candidate.version))
            continue;
        if ((0,_tags_version_js__WEBPACK_IMPORTED_MODULE_0__/* .compareReleaseVersions */ .w3)(candidate.version, target) <= 0)
            continue;
        if (newest === undefined ||
            (0,_tags_version_js__WEBPACK_IMPORTED_MODULE_0__/* .compareReleaseVersions */ .w3)(candidate.version, newest.version) > 0) {
            newest = candidate;
        }
    }
    return newest;
}


/***/ }),

/***/ 3416:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   rY: () => (/* binding */ decideImages),
/* harmony export */   rs: () => (/* binding */ readStates),
/* harmony export */   wz: () => (/* binding */ refuseConflicts)
/* harmony export */ });
/* harmony import */ var _guards_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(2614);
/* harmony import */ var _plan_steps_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2960);


async function ownManifest(registry, image, digest) {
    const manifest = await registry.getManifest(image, digest);
    if (manifest === undefined)
        throw new Error(`${image}@${digest} is not in the registry although it was just pushed`);
    return manifest;
}
/** Runs the fresh-read steps: each image's tag list and where each of our tags points. */
async function readStates(registry, steps, digestOf) {
    const states = new Map();
    for (const { image } of steps)
        if (!states.has(image.name))
            states.set(image.name, { image, existingTags: [], existingDigests: {} });
    await Promise.all(steps.map(async ({ image, reference }) => {
        const state = states.get(image.name);
        if (reference === '') {
            state.existingTags = await registry.listTags(image.name);
            return;
        }
        if (reference === _plan_steps_js__WEBPACK_IMPORTED_MODULE_1__/* .DIGEST */ .Dh) {
            state.manifest = await ownManifest(registry, image.name, digestOf(image.name));
            return;
        }
        const digest = await registry.getDigest(image.name, reference);
        if (digest !== undefined)
            state.existingDigests[reference] = digest;
    }));
    return [...states.values()];
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

/***/ 6686:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runPipeline: () => (/* binding */ runPipeline)
});

// EXTERNAL MODULE: ./src/plan/steps.ts
var plan_steps = __webpack_require__(2960);
;// CONCATENATED MODULE: ./src/publish/context.ts
/** Pushed references in the plan's order (tags are pointed in parallel). */
function inPlanOrder(refs, pushed) {
    const order = (ref) => refs.indexOf(ref);
    return [...pushed].sort((a, b) => order(a.ref) - order(b.ref));
}

// EXTERNAL MODULE: ./src/publish/registry-state.ts
var registry_state = __webpack_require__(3416);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ./src/docker/diagnose.ts
var diagnose = __webpack_require__(3802);
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

// EXTERNAL MODULE: ./src/registry/retry.ts
var retry = __webpack_require__(1521);
// EXTERNAL MODULE: ./src/docker/runner.ts
var runner = __webpack_require__(7240);
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

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/registry/errors.ts
var registry_errors = __webpack_require__(6764);
// EXTERNAL MODULE: ./src/plan/build-steps.ts + 1 modules
var build_steps = __webpack_require__(8573);
;// CONCATENATED MODULE: ./src/publish/run-command.ts
/** Runs one docker step of the pipeline and keeps what it learns. */









const PUSHED_DIGEST = /digest: (sha256:[0-9a-f]{64})/;
const MULTI_PLATFORM_UNSUPPORTED = /Multi-platform build is not supported for the docker driver/i;
/** The value after a flag in argv ('' without the flag). */
function flagValue(argv, flag) {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : '';
}
function failure(error, step) {
    if ((0,runner/* isBuildxMissing */.Tk)(error))
        return new runner/* BuildxMissingError */.Zn();
    const diagnosed = (0,diagnose/* diagnose */.h)(error, step.registries);
    if (diagnosed !== error || !(error instanceof runner/* DockerCommandError */.YJ))
        return diagnosed;
    if (MULTI_PLATFORM_UNSUPPORTED.test(error.output))
        return new errors/* InputError */.d('platforms', flagValue(step.argv, '--platform'), build_steps/* CLASSIC_STORE_ONE_PLATFORM */._u);
    if (step.step !== 'build')
        return error;
    const tail = error.output.trim().split('\n').slice(-15).join('\n');
    return new Error(`the build failed:\n${tail}`, { cause: error });
}
/** The registry's own answer to the credentials (its passing faults retried). */
async function credentialsAccepted(registry, env) {
    try {
        await env.registry.checkCredentials(registry);
        return true;
    }
    catch (error) {
        if (error instanceof registry_errors/* RegistryError */.gl && error.status === 401)
            return false;
        throw error;
    }
}
/** Docker steps that write to a registry: retried on a transient fault. */
const RETRIED = new Set(['build', 'push', 'index']);
async function run(step, argv, env) {
    const input = step.passwordFor === undefined
        ? undefined
        : env.passwords.get(step.passwordFor);
    const quiet = step.step === 'predict' || step.step === 'cleanup';
    const once = () => env.docker.run(argv, { input, quiet });
    const retried = () => retryDocker(once, env.retry, `${step.step} ${argv.join(' ')}`);
    try {
        if (step.step === 'login')
            return (await loginRetried(step, retried, env)).stdout;
        const { stdout } = RETRIED.has(step.step) ? await retried() : await once();
        return stdout;
    }
    catch (error) {
        throw failure(error, step);
    }
}
/**
 * dockerd reports a 5xx or 429 on its login ping as 401: when docker login
 * is refused, the project's own client asks the registry whether these
 * credentials are good (retrying its faults). A real refusal fails there,
 * naming the registry; a passing fault gets the login tried again.
 */
async function loginRetried(step, login, env) {
    for (let attempt = 0;; attempt++) {
        try {
            return await login();
        }
        catch (error) {
            if (!(0,diagnose/* isAuthRefusal */.B)(error) || attempt >= env.retry.retries)
                throw error;
            if (!(await credentialsAccepted(step.registries[0], env)))
                throw error;
            env.log.info(`${step.registries[0]} accepts these credentials: docker login's refusal was a passing fault, so it is tried again`);
        }
    }
}
function learnFromBuild(argv, pushed, values) {
    const metadataFile = flagValue(argv, '--metadata-file');
    if (metadataFile !== '') {
        values.build = parseBuildMetadata((0,external_node_fs_.readFileSync)(metadataFile, 'utf8'));
        for (const image of pushed)
            values.setDigest(image.name, values.build.digest);
    }
    const iidFile = flagValue(argv, '--iidfile');
    if (iidFile !== '') {
        const imageId = (0,external_node_fs_.readFileSync)(iidFile, 'utf8').trim();
        values.build = {
            digest: '',
            imageId,
            raw: { 'containerimage.config.digest': imageId }
        };
    }
}
/** Runs a docker step; `images` are the images a pushing build publishes. */
async function runCommand(step, images, values, env) {
    const argv = step.argv.map(arg => values.resolve(arg, step.image));
    if (step.step === 'cleanup') {
        await run(step, argv, env).catch((error) => env.log.warning(`cleanup: ${(0,errors/* errorMessage */.g)(error)}`));
        return;
    }
    const stdout = await run(step, argv, env);
    const image = step.image;
    if (step.step === 'build')
        learnFromBuild(argv, step.registries.length > 0 ? images : [], values);
    else if (step.step === 'push' && image !== undefined)
        values.setDigest(image.name, PUSHED_DIGEST.exec(stdout)?.[1] ?? '');
    else if (step.step === 'predict' && image !== undefined)
        values.setDigest(image.name, sha256(stdout.replace(/\n$/, '')));
}
function sha256(text) {
    return `sha256:${(0,external_node_crypto_.createHash)('sha256').update(text).digest('hex')}`;
}

;// CONCATENATED MODULE: ./src/registry/copy.ts
function parse(manifest) {
    return JSON.parse(new TextDecoder().decode(manifest.body));
}
/**
 * Makes an image (an index with all its platforms, or one manifest) of
 * another repository of the same registry available in `toImage` without
 * uploading: every blob is mounted and every child manifest put by its
 * digest. The image's own manifest is left for the caller to put.
 */
async function mountImage(client, fromImage, digest, toImage) {
    const manifest = await client.getManifest(fromImage, digest);
    if (manifest === undefined)
        throw new Error(`${fromImage}@${digest} is not in the registry`);
    const json = parse(manifest);
    for (const child of json.manifests ?? []) {
        const childManifest = await mountImage(client, fromImage, child.digest, toImage);
        await client.putManifest(toImage, child.digest, childManifest);
    }
    const blobs = [json.config, ...(json.layers ?? [])].flatMap(b => b ? [b.digest] : []);
    await Promise.all(blobs.map(blob => client.mountBlob(toImage, blob, fromImage)));
    return manifest;
}
/** The platforms an index lists (attestation entries left out); [] for one manifest. */
function indexPlatforms(manifest) {
    return (parse(manifest).manifests ?? []).flatMap(({ platform }) => platform === undefined || platform.os === 'unknown'
        ? []
        : [
            [platform.os, platform.architecture, platform.variant]
                .filter(Boolean)
                .join('/')
        ]);
}

// EXTERNAL MODULE: ./src/plan/copy-steps.ts + 1 modules
var copy_steps = __webpack_require__(8933);
;// CONCATENATED MODULE: ./src/publish/run-request.ts
/** Runs one registry step of the pipeline (the stage and read-back ones). */



async function readSource(step, values, env) {
    const manifest = await env.registry.getManifest(step.image.name, step.reference);
    if (manifest === undefined)
        throw new Error(`input "source": ${step.image.name}:${step.reference} was not found in registry ${step.image.registry}`);
    values.source = { image: step.image, digest: manifest.digest };
    return indexPlatforms(manifest);
}
async function sourceManifest(values, env) {
    const source = values.source;
    const manifest = source && (await env.registry.getManifest(source.image.name, source.digest));
    if (!source || manifest === undefined)
        throw new Error('the source image vanished from the registry while it was copied');
    return manifest;
}
async function readStaged(step, values, env) {
    const digest = await env.registry.getDigest(step.image.name, step.reference);
    if (digest === undefined)
        throw new Error(`input "platforms": no ${step.platform ?? ''} build of this run at ${step.image.name}:${step.reference}: did its mode: digest job succeed?`);
    values.setStaged(step.image.name, (0,copy_steps/* stagedDigest */.pZ)(step.reference), digest);
}
const NETWORK = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|connection refused|no response within/i;
/** The registry answers /v2/ (its faults retried); unreachable is said so. */
async function probe(registry, env) {
    try {
        await env.registry.ping(registry);
    }
    catch (error) {
        const message = (0,errors/* errorMessage */.g)(error);
        if (!NETWORK.test(message))
            throw error;
        const detail = message.replace(`registry ${registry}: `, '');
        throw new Error(`registry ${registry} is unreachable (${detail})`, {
            cause: error
        });
    }
}
/** The platforms learnt (promote's source), else []. */
async function runStageRequest(step, values, env) {
    switch (step.step) {
        case 'probe':
            await probe(step.image.registry, env);
            return [];
        case 'source':
            return readSource(step, values, env);
        case 'staged':
            await readStaged(step, values, env);
            return [];
        case 'mount': {
            const source = values.source;
            if (source !== undefined)
                await mountImage(env.registry, source.image.name, source.digest, step.image.name);
            return [];
        }
        case 'copy': {
            const manifest = await sourceManifest(values, env);
            await env.registry.putManifest(step.image.name, manifest.digest, manifest);
            values.setDigest(step.image.name, manifest.digest);
            return [];
        }
        default:
            throw new Error(`step ${step.step} is not a stage step`);
    }
}

// EXTERNAL MODULE: ./src/guards/channels.ts
var channels = __webpack_require__(2012);
;// CONCATENATED MODULE: ./src/guards/converge.ts

/**
 * The release tag a floating tag of this run must end on, by a fresh tag
 * list: the newest release of its line and channel (a concurrent run may
 * have published one), else this run's own release of that line. Undefined
 * for a floating tag that follows no release (a branch, `edge`).
 */
function followedRelease(tag, tags, freshTags) {
    const line = tag.line;
    if (line === undefined)
        return undefined;
    const channel = (0,channels/* channelOf */.ts)(tag.name, line, tags);
    const newer = (0,channels/* newerInLine */.jk)(line, new channels/* ReleaseIndex */.el(freshTags).stable(channel));
    if (newer !== undefined)
        return newer.name;
    return tags.find(t => t.kind === 'version' &&
        (0,channels/* splitsOf */.pw)(t.name, line.version).some(c => c.prefix === channel.prefix && c.suffix === channel.suffix))?.name;
}

;// CONCATENATED MODULE: ./src/publish/converge.ts


const refOf = (step) => `${step.image.name}:${step.reference}`;
async function readAll(steps, env) {
    const lists = new Map();
    const digests = new Map();
    await Promise.all(steps.map(async (step) => {
        env.log.info((0,plan_steps/* stepLine */.l6)(step));
        const image = step.image.name;
        if (step.reference === '')
            lists.set(image, await env.registry.listTags(image));
        else
            digests.set(refOf(step), await env.registry.getDigest(image, step.reference));
    }));
    return { lists, digests };
}
async function repair(step, plan, written, fresh, env) {
    const ref = refOf(step);
    const image = step.image.name;
    const target = step.tag &&
        followedRelease(step.tag, plan.tags, fresh.lists.get(image) ?? []);
    if (!written.has(ref) || target === undefined) {
        env.log.info((0,plan_steps/* notRunLine */.lu)(step, 'not needed: this run did not move it'));
        return;
    }
    const targetRef = `${image}:${target}`;
    const digest = fresh.digests.has(targetRef)
        ? fresh.digests.get(targetRef)
        : await env.registry.getDigest(image, target);
    const current = fresh.digests.get(ref);
    if (digest === undefined || digest === current) {
        env.log.info((0,plan_steps/* notRunLine */.lu)(step, `not needed: it is on ${target}`));
        return;
    }
    env.log.info((0,plan_steps/* stepLine */.l6)(step));
    const manifest = await env.registry.getManifest(image, digest);
    if (manifest === undefined)
        return;
    await env.registry.putManifest(image, step.reference, manifest);
    fresh.digests.set(ref, digest);
    env.log.warning(`${ref} repaired: ${target} is the newest release of its line (another run published or moved it meanwhile), so ${ref} now points at ${digest}`);
}
/** Release tags this run wrote that another run's write has replaced since. */
function taken(steps, written, digests, values) {
    return steps.flatMap(step => {
        const ref = refOf(step);
        const held = digests.get(ref);
        const ours = values.digestOf(step.image.name);
        const release = step.tag?.kind === 'version' && written.has(ref);
        return release && held !== ours
            ? [`${ref} holds ${held ?? 'nothing'}, not ${ours} which this run wrote`]
            : [];
    });
}
/** Reads back, repairs, and returns what the registry holds for our tags. */
async function readBackAndConverge(steps, plan, values, env, floatingGuard) {
    const written = new Set(env.progress.pushed.map(p => p.ref));
    const reads = steps.filter(step => step.step === 'read-back');
    const fresh = await readAll(reads, env);
    for (const step of steps.filter(s => s.step === 'repair'))
        if (floatingGuard)
            await repair(step, plan, written, fresh, env);
        else
            env.log.info((0,plan_steps/* notRunLine */.lu)(step, 'not needed: floating-guard: false'));
    const heads = reads.filter(step => step.reference !== '');
    const lost = taken(heads, written, fresh.digests, values);
    if (lost.length > 0)
        throw new Error(`another run published the same release at the same time (the registry has no conditional write; see the README's concurrency: setting):\n${lost.join('\n')}`);
    return heads.map(step => ({
        ref: refOf(step),
        digest: fresh.digests.get(refOf(step)) ?? ''
    }));
}

;// CONCATENATED MODULE: ./src/registry/image-labels.ts
const decode = (bytes) => JSON.parse(new TextDecoder().decode(bytes));
/**
 * The manifest a digest names and its image's labels (an index: its first
 * platform's, which every platform of one build shares).
 */
async function imageLabels(client, image, digest) {
    const manifest = await client.getManifest(image, digest);
    if (manifest === undefined)
        return undefined;
    let json = decode(manifest.body);
    const child = json.manifests?.find(m => m.platform?.os !== 'unknown');
    if (child !== undefined) {
        const platform = await client.getManifest(image, child.digest);
        json = platform === undefined ? {} : decode(platform.body);
    }
    const config = json.config && (await client.getBlob(image, json.config.digest));
    const labels = config ? decode(config).config?.Labels : undefined;
    return { manifest, labels: labels ?? {} };
}

;// CONCATENATED MODULE: ./src/publish/reruns.ts


const REVISION = 'org.opencontainers.image.revision';
const SOURCE = 'org.opencontainers.image.source';
function sameBuild(labels, plan) {
    return (labels[REVISION] !== undefined &&
        labels[REVISION] === plan.labels[REVISION] &&
        labels[SOURCE] === plan.labels[SOURCE]);
}
async function checkRevision(step, state, plan, values, env) {
    const image = step.image.name;
    const existing = state.existingDigests[step.reference];
    const ours = values.digestOf(image);
    if (existing === undefined || existing === ours) {
        const why = existing ? 'it holds this run’s digest' : 'it does not exist';
        env.log.info((0,plan_steps/* notRunLine */.lu)(step, `not needed: ${why}`));
        return;
    }
    env.log.info((0,plan_steps/* stepLine */.l6)(step));
    const found = await imageLabels(env.registry, image, existing);
    if (found === undefined || !sameBuild(found.labels, plan))
        return;
    env.log.info(`${image}:${step.reference} already holds a build of this commit (${plan.labels[REVISION]}): this is a re-run, so its tags converge on ${existing} and this run's build (${ours}) is not used`);
    values.setDigest(image, existing);
    state.manifest = found.manifest;
}
/** Runs the revision steps; an image whose release is this commit's takes that digest. */
async function adoptReruns(steps, states, settings, plan, values, env) {
    for (const step of steps) {
        if (settings.immutableTags === 'overwrite') {
            env.log.info((0,plan_steps/* notRunLine */.lu)(step, 'not needed: immutable-tags: overwrite'));
            continue;
        }
        const state = states.find(s => s.image.name === step.image.name);
        if (state !== undefined)
            await checkRevision(step, state, plan, values, env);
    }
}

;// CONCATENATED MODULE: ./src/publish/tagging.ts

function recordSkipped(plans, progress, log) {
    for (const { image, decision } of plans) {
        for (const { tag, reason } of decision.skipped) {
            const ref = `${image.name}:${tag.name}`;
            progress.skipped.push({ ref, reason });
            log.info(`${ref} left alone: ${reason}`);
        }
        for (const tag of decision.unchanged)
            log.info(`${image.name}:${tag.name} already points at this digest: unchanged`);
    }
}
/** The tag steps the guards let through, in two phases: exact tags, then floating ones. */
function allowedTagSteps(steps, plans) {
    const decisionOf = (step) => plans.find(p => p.image.name === step.image.name)?.decision;
    const allowed = (pick) => steps.filter(step => {
        const decision = decisionOf(step);
        return decision !== undefined && pick(decision).includes(step.reference);
    });
    return [
        allowed(d => d.exact.map(t => t.name)),
        allowed(d => d.floating.map(t => t.name))
    ];
}
/**
 * Points tags at the manifest already in the image's repository: one
 * manifest PUT per tag, in parallel within a phase; a phase starts only
 * after the one before it succeeded.
 */
async function pointTags(registry, phases, manifestOf, progress, log) {
    for (const phase of phases) {
        await Promise.all(phase.map(async (step) => {
            const manifest = manifestOf(step.image.name);
            log.info((0,plan_steps/* stepLine */.l6)(step));
            await registry.putManifest(step.image.name, step.reference, manifest);
            progress.pushed.push({
                ref: `${step.image.name}:${step.reference}`,
                digest: manifest.digest
            });
        }));
    }
}

;// CONCATENATED MODULE: ./src/publish/values.ts

class RunValues {
    digests = new Map();
    staged = new Map();
    /** promote: the image copied, and its digest once read. */
    source;
    build = { digest: '', imageId: '', raw: {} };
    setDigest(image, digest) {
        this.digests.set(image, digest);
    }
    /** The digest this run publishes to an image ('' until a step has learnt it). */
    digestOf(image) {
        return this.digests.get(image) ?? '';
    }
    setStaged(image, placeholder, digest) {
        this.staged.set(`${image} ${placeholder}`, digest);
    }
    /** A step's text with what its placeholders stand for. */
    resolve(text, image) {
        let resolved = text.replaceAll(plan_steps/* SOURCE_DIGEST */.Rc, this.source?.digest ?? plan_steps/* SOURCE_DIGEST */.Rc);
        if (image === undefined)
            return resolved;
        for (const [key, digest] of this.staged)
            if (key.startsWith(`${image.name} `))
                resolved = resolved.replaceAll(key.slice(image.name.length + 1), digest);
        const digest = this.digestOf(image.name);
        return digest === '' ? resolved : resolved.replaceAll(plan_steps/* DIGEST */.Dh, digest);
    }
}

;// CONCATENATED MODULE: ./src/publish/run-pipeline.ts









async function inGroup(env, title, steps, run) {
    if (steps.length === 0)
        return;
    await env.log.group(title, async () => {
        for (const step of steps) {
            env.log.info((0,plan_steps/* stepLine */.l6)(step));
            await run(step);
        }
    });
}
/** Where each of our references points now (the HEAD steps of the read-back). */
async function readBack(steps, env) {
    const heads = steps.filter(s => s.step === 'read-back' && s.reference !== '');
    return Promise.all(heads.map(async (step) => ({
        ref: `${step.image.name}:${step.reference}`,
        digest: (await env.registry.getDigest(step.image.name, step.reference)) ?? ''
    })));
}
/** What this run wrote and the registry still holds: never a ref that moved on. */
function confirmed(written, held) {
    return written.filter(w => held.some(h => h.ref === w.ref && h.digest === w.digest));
}
function requireDigests(images, values) {
    const unknown = images.filter(image => values.digestOf(image.name) === '');
    if (unknown.length > 0)
        throw new Error(`the digest of ${unknown.map(i => i.name).join(', ')} could not be learnt from the build, so no tag was pointed`);
}
/** Logs the tag steps the guards let through as they run, the others with why not. */
function logHeldTags(steps, allowed, plans, env) {
    const running = new Set(allowed.flat());
    for (const step of steps) {
        if (running.has(step))
            continue;
        const decision = plans.find(p => p.image.name === step.image.name)?.decision;
        const held = decision?.skipped.find(s => s.tag.name === step.reference);
        env.log.info((0,plan_steps/* notRunLine */.lu)(step, held
            ? `held back: ${held.reason}`
            : 'not needed: already points at this digest'));
    }
}
/** Reads fresh, adopts a re-run's release, decides, points the tags the guards allow. */
async function tag(settings, plan, pipeline, values, env) {
    const digestOf = (image) => values.digestOf(image);
    const reads = pipeline.read.filter(step => step.step === 'read');
    const revisions = pipeline.read.filter(step => step.step === 'revision');
    const states = await env.log.group('Read the registry', async () => {
        for (const step of reads)
            env.log.info((0,plan_steps/* stepLine */.l6)(step));
        const read = await (0,registry_state/* readStates */.rs)(env.registry, reads, digestOf);
        await adoptReruns(revisions, read, settings, plan, values, env);
        return read;
    });
    const plans = (0,registry_state/* decideImages */.rY)(states, plan.tags, i => digestOf(i.name), settings);
    (0,registry_state/* refuseConflicts */.wz)(plans);
    recordSkipped(plans, env.progress, env.log);
    const manifestOf = (image) => {
        const manifest = states.find(s => s.image.name === image)?.manifest;
        if (manifest === undefined)
            throw new Error(`no manifest read for ${image}`);
        return manifest;
    };
    const allowed = allowedTagSteps(pipeline.tag, plans);
    await env.log.group('Tag', async () => {
        logHeldTags(pipeline.tag, allowed, plans, env);
        await pointTags(env.registry, allowed, manifestOf, env.progress, env.log);
    });
}
async function runPipeline(settings, plan, pipeline, env) {
    const values = new RunValues();
    let platforms;
    let built = false; // the local leftovers exist only once a build ran
    const runStep = async (step) => {
        if ((0,plan_steps/* isCommand */.y9)(step)) {
            await runCommand(step, plan.images, values, env);
            built ||= step.step === 'build';
        }
        else {
            const learnt = await runStageRequest(step, values, env);
            if (step.step === 'source')
                platforms = learnt;
        }
    };
    try {
        await inGroup(env, 'Log in', pipeline.login, runStep);
        await inGroup(env, 'Stage the image (no tag moves yet)', pipeline.stage, runStep);
        if (pipeline.readBack.length > 0)
            requireDigests(plan.images, values);
        if (pipeline.tag.length > 0)
            await tag(settings, plan, pipeline, values, env);
        const held = await env.log.group('Read back', async () => {
            if (pipeline.tag.length > 0)
                return readBackAndConverge(pipeline.readBack, plan, values, env, settings.floatingGuard);
            for (const step of pipeline.readBack)
                env.log.info((0,plan_steps/* stepLine */.l6)(step));
            return readBack(pipeline.readBack, env);
        });
        const written = pipeline.tag.length > 0
            ? env.progress.pushed
            : held.filter(h => h.digest ===
                values.digestOf(h.ref.slice(0, h.ref.lastIndexOf(':'))));
        env.progress.pushed = inPlanOrder(plan.refs, confirmed(written, held));
        return {
            digest: values.digestOf(plan.images[0]?.name ?? '') || values.build.digest,
            imageid: values.build.imageId,
            metadata: values.build.raw,
            pushed: env.progress.pushed,
            skipped: env.progress.skipped,
            held,
            platforms
        };
    }
    catch (error) {
        // what landed, as the registry tells it (as written, if it cannot be read)
        if (env.progress.pushed.length > 0) {
            const held = await readBack(pipeline.readBack, env).catch(() => undefined);
            if (held !== undefined)
                env.progress.pushed = confirmed(env.progress.pushed, held);
        }
        throw error;
    }
    finally {
        if (built)
            await inGroup(env, 'Clean up', pipeline.cleanup, runStep);
    }
}


/***/ })

};
