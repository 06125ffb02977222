export const id = 703;
export const ids = [703,26];
export const modules = {

/***/ 963:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Io: () => (/* binding */ inlineCredentials),
/* harmony export */   aD: () => (/* binding */ serverAddress),
/* harmony export */   n7: () => (/* binding */ registryKey),
/* harmony export */   up: () => (/* binding */ privateConfig),
/* harmony export */   yW: () => (/* binding */ helperFor)
/* harmony export */ });
/* unused harmony exports HUB_SERVER, registryAliases */
const HUB_KEY = 'docker.io';
const HUB_ALIASES = new Set([
    'docker.io',
    'index.docker.io',
    'registry-1.docker.io'
]);
/** Where docker keeps Docker Hub's credentials, and what it asks helpers for. */
const HUB_SERVER = 'https://index.docker.io/v1/';
/** A registry as docker compares them: no scheme, no path, Docker Hub's names as one. */
function registryKey(name) {
    const host = name
        .trim()
        .replace(/^[a-z]+:\/\//i, '')
        .replace(/\/.*$/, '')
        .toLowerCase();
    return HUB_ALIASES.has(host) ? HUB_KEY : host;
}
/** The address docker stores a registry's credentials under (and asks a helper for). */
function serverAddress(registry) {
    return registryKey(registry) === HUB_KEY ? HUB_SERVER : registry;
}
/** Every spelling docker may look a registry up by, for credHelpers keys. */
function registryAliases(registry) {
    return registryKey(registry) === HUB_KEY
        ? [HUB_SERVER, ...HUB_ALIASES]
        : [registry];
}
function matching(map, registry) {
    const key = registryKey(registry);
    const found = Object.entries(map ?? {}).find(([k]) => registryKey(k) === key);
    return found?.[1];
}
/** The helper that serves a registry ('' for the config file itself). */
function helperFor(config, registry) {
    return matching(config.credHelpers, registry) ?? config.credsStore ?? '';
}
/** Credentials stored in `auths`: `auth` (base64 user:password) or the fields. */
function inlineCredentials(config, registry) {
    const entry = matching(config.auths, registry);
    if (entry === undefined)
        return undefined;
    if (entry.identitytoken)
        return {
            username: '<token>',
            password: '',
            identityToken: entry.identitytoken
        };
    if (entry.auth) {
        const pair = Buffer.from(entry.auth, 'base64').toString('utf8');
        const colon = pair.indexOf(':');
        if (colon > 0)
            return { username: pair.slice(0, colon), password: pair.slice(colon + 1) };
    }
    if (entry.username && entry.password)
        return { username: entry.username, password: entry.password };
    return undefined;
}
/**
 * The user's config for a run of ours: everything kept, but our registries
 * stored in the file itself (an empty credHelpers entry is docker's way to
 * say so), so our logins never reach the user's credential store.
 */
function privateConfig(config, registries) {
    const credHelpers = { ...config.credHelpers };
    for (const registry of registries)
        for (const alias of registryAliases(registry))
            credHelpers[alias] = '';
    return { ...config, credHelpers };
}


/***/ }),

/***/ 656:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   AN: () => (/* binding */ createRunConfig),
/* harmony export */   TO: () => (/* binding */ readDockerConfig),
/* harmony export */   d8: () => (/* binding */ dockerCredentials),
/* harmony export */   dH: () => (/* binding */ userConfigDir)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _config_file_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(963);
/** The user's docker config on disk: read for credentials, copied for a run of ours. */




/** What docker itself uses: DOCKER_CONFIG, else ~/.docker. */
function userConfigDir(env = process.env) {
    return env.DOCKER_CONFIG || (0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)((0,node_os__WEBPACK_IMPORTED_MODULE_1__.homedir)(), '.docker');
}
function readDockerConfig(dir) {
    const file = (0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(dir, 'config.json');
    if (!(0,node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync)(file))
        return {};
    const text = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(file, 'utf8');
    if (text.trim() === '')
        return {};
    try {
        return JSON.parse(text);
    }
    catch {
        throw new Error(`${file} is not valid JSON, so docker cannot read it either`);
    }
}
/**
 * A registry's credentials as docker finds them: its credential helper
 * (credHelpers, else credsStore), else what `auths` holds.
 */
async function dockerCredentials(config, registry, askHelper) {
    const helper = (0,_config_file_js__WEBPACK_IMPORTED_MODULE_3__/* .helperFor */ .yW)(config, registry);
    const fromHelper = helper === '' ? undefined : await askHelper(helper, (0,_config_file_js__WEBPACK_IMPORTED_MODULE_3__/* .serverAddress */ .aD)(registry));
    return fromHelper ?? (0,_config_file_js__WEBPACK_IMPORTED_MODULE_3__/* .inlineCredentials */ .Io)(config, registry);
}
// Folders docker and buildx keep beside config.json: the run must see the
// user's builders, contexts and plugins, and may add to them as docker would.
const SHARED_FOLDERS = ['buildx', 'contexts', 'cli-plugins'];
/**
 * A docker config folder for this run only (inside the run's private
 * folder): the user's config, with our logins kept in its own file. The
 * user's config is never written; removing the folder removes our logins.
 */
function createRunConfig(userDir, runDir, registries) {
    const dir = (0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(runDir, 'docker-config');
    (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.mkdirSync)(dir, { recursive: true, mode: 0o700 });
    const config = (0,_config_file_js__WEBPACK_IMPORTED_MODULE_3__/* .privateConfig */ .up)(readDockerConfig(userDir), registries);
    (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.writeFileSync)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(dir, 'config.json'), JSON.stringify(config, null, 2), {
        mode: 0o600
    });
    for (const name of SHARED_FOLDERS)
        if ((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(userDir, name)))
            (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.symlinkSync)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(userDir, name), (0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(dir, name));
    return dir;
}


/***/ }),

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

/***/ 5252:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  a0: () => (/* binding */ buildsAsAsked),
  BM: () => (/* binding */ needsBuilder),
  SX: () => (/* binding */ pipelineFor)
});

// EXTERNAL MODULE: ./src/action/build-options.ts + 1 modules
var build_options = __webpack_require__(3345);
;// CONCATENATED MODULE: ./src/docker/login-args.ts
/** argv (after `docker`) to log in; the password goes on stdin, never here. */
function loginArgs(registry, username) {
    return ['login', registry, '--username', username, '--password-stdin'];
}
function logoutArgs(registry) {
    return ['logout', registry];
}

// EXTERNAL MODULE: ./src/images.ts
var src_images = __webpack_require__(4525);
// EXTERNAL MODULE: ./src/plan/build-steps.ts + 1 modules
var build_steps = __webpack_require__(8573);
// EXTERNAL MODULE: ./src/plan/copy-steps.ts + 1 modules
var copy_steps = __webpack_require__(8933);
// EXTERNAL MODULE: ./src/plan/registry-steps.ts
var registry_steps = __webpack_require__(3870);
// EXTERNAL MODULE: ./src/plan/staging.ts
var plan_staging = __webpack_require__(694);
// EXTERNAL MODULE: ./src/registry/reference.ts
var reference = __webpack_require__(9310);
;// CONCATENATED MODULE: ./src/plan/pipeline.ts
/** Every mode that produces an image, as one ordered list of steps (see steps.ts). */








/**
 * Each login after a probe of the registry with the project's own client:
 * dockerd reports a 5xx or 429 on its login ping as 401, which would read as
 * a wrong password and never be retried.
 */
function loginSteps(settings) {
    return settings.logins.flatMap(({ registry, username }) => [
        {
            step: 'probe',
            method: 'GET',
            url: (0,reference/* apiUrl */.y0)((0,reference/* parseRegistry */.l5)(registry), '/v2/'),
            // a probe is about a registry, not an image: the registry stands for both
            image: { name: registry, registry },
            reference: ''
        },
        {
            step: 'login',
            argv: loginArgs(registry, username),
            passwordFor: registry,
            registries: [registry]
        }
    ]);
}
function tagging(plan) {
    return {
        read: (0,registry_steps/* readSteps */.I$)(plan.images, plan.tags),
        tag: (0,registry_steps/* tagSteps */.en)(plan.images, plan.tags),
        readBack: (0,registry_steps/* readBackSteps */.Vc)(plan.images, plan.tags)
    };
}
const NO_REGISTRY = { read: [], tag: [], readBack: [] };
function withStages(login, { stage, cleanup }, registry) {
    return { login, stage, ...registry, cleanup };
}
/** The build settings pinned to the builder the steps were chosen for. */
function onBuilder(settings, builder) {
    return builder.driver === 'classic' || builder.name === ''
        ? settings.build
        : { ...settings.build, builder: builder.name };
}
function buildPipeline({ settings, plan, builder, files }) {
    const build = onBuilder(settings, builder);
    if (buildsAsAsked(settings))
        return withStages([], (0,build_steps/* localBuild */.uM)(plan, { ...build, push: false }, builder, files), NO_REGISTRY);
    if (!build.push)
        return withStages([], (0,build_steps/* localBuild */.uM)(plan, build, builder, files), NO_REGISTRY);
    const stages = (0,build_steps/* stagedBuild */.bJ)(plan, build, builder, files, (0,plan_staging/* stagingTag */.a)(plan.buildId));
    return withStages(loginSteps(settings), stages, tagging(plan));
}
function digestPipeline({ settings, plan, builder, files }) {
    const staging = (0,plan_staging/* stagingTag */.a)(plan.buildId, settings.build.platforms[0]);
    const build = onBuilder(settings, builder);
    const stages = (0,build_steps/* stagedPlatform */.AR)(plan, build, builder, files, staging);
    const staged = { ...plan, tags: [{ name: staging, kind: 'fixed' }] };
    return withStages(loginSteps(settings), stages, {
        read: [],
        tag: [],
        readBack: (0,registry_steps/* headSteps */._9)(staged.images, staged.tags)
    });
}
function promotePipeline({ settings, plan }) {
    const source = (0,src_images/* parseImageReference */.o_)(settings.source, 'source');
    const stage = (0,copy_steps/* promoteStage */.Fj)(source.image, source.reference, plan.images);
    const login = (0,copy_steps/* promoteNeedsDocker */.q)(source.image, plan.images)
        ? loginSteps(settings)
        : [];
    return { login, stage, ...tagging(plan), cleanup: [] };
}
function mergePipeline({ settings, plan }) {
    const stage = (0,copy_steps/* mergeStage */.DI)(plan.images, settings.build.platforms, plan.buildId);
    return { login: loginSteps(settings), stage, ...tagging(plan), cleanup: [] };
}
/** The steps a run of these settings takes, in order; the dry run prints the same. */
function pipelineFor(input) {
    switch (input.settings.mode) {
        case 'build':
            return buildPipeline(input);
        case 'digest':
            return digestPipeline(input);
        case 'promote':
            return promotePipeline(input);
        case 'merge':
            return mergePipeline(input);
    }
}
/**
 * `outputs` or a `call` other than build: the build goes where the user's
 * outputs say (or is only evaluated), so no registry step of ours runs.
 */
function buildsAsAsked(settings) {
    const { outputs, call } = settings.build;
    return (settings.mode === 'build' && (outputs.length > 0 || (0,build_options/* evaluatesOnly */.Dt)(call)));
}
/** Whether the mode needs to know the builder (it builds). */
function needsBuilder(settings) {
    return settings.mode === 'build' || settings.mode === 'digest';
}


/***/ }),

/***/ 2832:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  hz: () => (/* binding */ createPublishEnv),
  Iq: () => (/* binding */ createRegistry),
  nu: () => (/* binding */ credentialsLookup)
});

// EXTERNAL MODULE: ./src/docker/config-file.ts
var config_file = __webpack_require__(963);
// EXTERNAL MODULE: ./src/docker/config.ts
var config = __webpack_require__(656);
;// CONCATENATED MODULE: ./src/docker/credential-helper.ts
const NOT_FOUND = /credentials not found/i;
/**
 * `docker-credential-<helper> get` with the server on stdin, exactly as
 * docker runs it; a `<token>` username means the secret is an identity token.
 */
async function askCredentialHelper(helper, server) {
    const program = `docker-credential-${helper}`;
    const { getExecOutput } = await __webpack_require__.e(/* import() */ 260).then(__webpack_require__.bind(__webpack_require__, 1260));
    const result = await getExecOutput(program, ['get'], {
        input: Buffer.from(server),
        silent: true,
        ignoreReturnCode: true
    }).catch((error) => {
        throw new Error(`the docker config names the credential helper "${helper}", but ${program} could not be run: ${error instanceof Error ? error.message : String(error)}`);
    });
    if (result.exitCode !== 0) {
        if (NOT_FOUND.test(result.stdout + result.stderr))
            return undefined;
        throw new Error(`${program} get ${server} failed with exit code ${result.exitCode}: ${(result.stderr || result.stdout).trim().split('\n')[0]}`);
    }
    const answer = JSON.parse(result.stdout);
    if (!answer.Secret)
        return undefined;
    return answer.Username === '<token>'
        ? { username: '<token>', password: '', identityToken: answer.Secret }
        : { username: answer.Username ?? '', password: answer.Secret };
}

// EXTERNAL MODULE: ./src/docker/runner.ts
var runner = __webpack_require__(7240);
// EXTERNAL MODULE: ./src/registry/errors.ts
var errors = __webpack_require__(6764);
// EXTERNAL MODULE: ./src/registry/reference.ts
var registry_reference = __webpack_require__(9310);
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
    throw new errors/* RegistryError */.gl(registry, `Bearer challenge without a usable realm URL (${JSON.stringify(realm ?? '')})`);
}
class RegistryAuth {
    credentials;
    fetchToken;
    schemes = new Map();
    tokens = new Map();
    found = new Map();
    usernames = new Map();
    constructor(credentials, fetchToken) {
        this.credentials = credentials;
        this.fetchToken = fetchToken;
    }
    /** The username used so far for this registry (for error messages). */
    username(registry) {
        return this.usernames.get(registry);
    }
    /** Looks the credentials up once per registry (a credential helper is a process). */
    credentialsFor(registry) {
        let found = this.found.get(registry);
        if (found === undefined) {
            found = Promise.resolve(this.credentials(registry)).then(credentials => {
                this.usernames.set(registry, credentials?.username);
                return credentials;
            });
            this.found.set(registry, found);
        }
        return found;
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
            throw (0,errors/* authFailed */.wm)(registry, response, undefined);
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
            throw new errors/* RegistryError */.gl(registry, `401 Unauthorized with an unsupported WWW-Authenticate challenge: ${header}`, 401);
        }
        return this.schemes.get(registry);
    }
    async authorize(registry, scheme, scope, cacheScope = scope) {
        const credentials = await this.credentialsFor(registry);
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
        const response = credentials?.identityToken === undefined
            ? await this.fetchToken(tokenUrl(url, scheme, scope, credentials), tokenHeaders(credentials))
            : await this.fetchToken(url, {
                method: 'POST',
                headers: {
                    Accept: 'application/json',
                    'Content-Type': 'application/x-www-form-urlencoded'
                },
                body: refreshForm(scheme, scope, credentials.identityToken)
            });
        if (!response.ok) {
            throw await (0,errors/* responseFailure */.ue)(response, {
                registry,
                request: `token request to ${url.origin}${url.pathname}`,
                username: credentials?.username
            });
        }
        return readToken(registry, await response.text());
    }
}
/** docker login's way: GET with Basic credentials. */
function tokenUrl(realm, scheme, scope, credentials) {
    const url = new URL(realm);
    if (scheme.service !== undefined)
        url.searchParams.set('service', scheme.service);
    if (scope !== undefined)
        url.searchParams.set('scope', scope);
    if (credentials !== undefined)
        url.searchParams.set('account', credentials.username);
    return url;
}
function tokenHeaders(credentials) {
    const headers = { Accept: 'application/json' };
    if (credentials !== undefined)
        headers.Authorization = basicAuthorization(credentials);
    return { method: 'GET', headers };
}
/** An identity token (OAuth2 refresh token) is exchanged by POST, as docker does. */
function refreshForm(scheme, scope, refreshToken) {
    const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: 'docker-publish-action'
    });
    if (scheme.service !== undefined)
        form.set('service', scheme.service);
    if (scope !== undefined)
        form.set('scope', scope);
    return form.toString();
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
        throw new errors/* RegistryError */.gl(registry, 'the token server answered without a "token" or "access_token"');
    }
    return token;
}

// EXTERNAL MODULE: ./src/registry/retry.ts
var retry = __webpack_require__(1521);
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
        this.auth = new RegistryAuth(options.credentials, (url, init) => this.send(url, init));
    }
    request(endpoint, request, read) {
        const { registry } = endpoint;
        const url = requestUrl(endpoint, request.path);
        const what = `${request.method} ${url.href}`;
        const operation = async () => {
            try {
                const response = await this.exchange(endpoint, request, url);
                return await read(response, () => (0,errors/* responseFailure */.ue)(response, {
                    registry,
                    request: what,
                    username: this.auth.username(registry)
                }));
            }
            catch (error) {
                throw (0,errors/* classifyNetworkError */.LW)(registry, error, this.options.requestTimeoutMs);
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
            throw (0,errors/* authFailed */.wm)(registry, first, this.auth.username(registry));
        }
        // A cached token may have expired: drop it and answer the challenge.
        if (upFront?.reused)
            this.auth.forget(registry, request.scope);
        const answer = await this.auth.answer(registry, first, request.scope);
        const second = await attempt(answer.header);
        if (second.status === 401) {
            await second.body?.cancel();
            throw (0,errors/* authFailed */.wm)(registry, second, this.auth.username(registry));
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
        throw new errors/* RegistryError */.gl(endpoint.registry, `the next page link points to another origin (${next.origin})`);
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
        throw new errors/* RegistryError */.gl(ref.registry, `invalid tag or digest ${JSON.stringify(reference)} for ${ref.repository}`);
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
        const endpoint = (0,registry_reference/* parseRegistry */.l5)(registry);
        await this.transport.request(endpoint, { method: 'GET', path: '/v2/', authenticate: false }, async (response, fail) => {
            if (!response.ok && response.status !== 401)
                throw await fail();
            await response.body?.cancel();
        });
    }
    async checkCredentials(registry) {
        const endpoint = (0,registry_reference/* parseRegistry */.l5)(registry);
        await this.transport.request(endpoint, { method: 'GET', path: '/v2/' }, async (response, fail) => {
            if (!response.ok)
                throw await fail();
            await response.body?.cancel();
        });
    }
    async listTags(image) {
        const ref = (0,registry_reference/* parseRepository */.SU)(image);
        const query = this.pageSize === undefined ? '' : `?n=${this.pageSize}`;
        const tags = [];
        let path = `/v2/${ref.repository}/tags/list${query}`;
        for (let page = 1; path !== undefined; page++) {
            if (page > MAX_PAGES) {
                throw new errors/* RegistryError */.gl(ref.registry, `more than ${MAX_PAGES} pages of tags for ${ref.repository}`);
            }
            const result = await this.tagsPage(ref, path);
            tags.push(...result.tags);
            path = result.next;
        }
        return tags;
    }
    async getDigest(image, reference) {
        const ref = (0,registry_reference/* parseRepository */.SU)(image);
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
        const ref = (0,registry_reference/* parseRepository */.SU)(image);
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
        const ref = (0,registry_reference/* parseRepository */.SU)(image);
        if (!isTag(tag) && !/^sha256:[0-9a-f]{64}$/.test(tag)) {
            throw new errors/* RegistryError */.gl(ref.registry, `invalid tag ${JSON.stringify(tag)}`);
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
        const ref = (0,registry_reference/* parseRepository */.SU)(image);
        const from = (0,registry_reference/* parseRepository */.SU)(fromImage);
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
            throw new errors/* RegistryError */.gl(ref.registry, `did not mount blob ${digest} from ${from.repository} into ${ref.repository} (HTTP ${response.status})`);
        });
    }
    async getBlob(image, digest) {
        const ref = (0,registry_reference/* parseRepository */.SU)(image);
        if (!/^sha256:[0-9a-f]{64}$/.test(digest))
            throw new errors/* RegistryError */.gl(ref.registry, `invalid digest ${JSON.stringify(digest)}`);
        const request = {
            method: 'GET',
            path: `/v2/${ref.repository}/blobs/${digest}`,
            scope: pullScope(ref)
        };
        return await this.transport.request(ref, request, async (response, fail) => {
            if (response.status === 404) {
                await response.body?.cancel();
                return undefined;
            }
            if (!response.ok)
                throw await fail();
            return new Uint8Array(await response.arrayBuffer());
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





/**
 * Credentials as SPEC §9 orders them: this action's inputs, else what docker
 * itself would use (the user's docker config: credHelpers, credsStore,
 * auths). Secrets a helper gives are masked before anything can print them.
 */
function credentialsLookup(settings, mask, configDir = (0,config/* userConfigDir */.dH)()) {
    return async (registry) => {
        const key = (0,config_file/* registryKey */.n7)(registry);
        const login = settings.logins.find(l => (0,config_file/* registryKey */.n7)(l.registry) === key);
        if (login !== undefined)
            return login;
        const found = await (0,config/* dockerCredentials */.d8)((0,config/* readDockerConfig */.TO)(configDir), registry, askCredentialHelper);
        if (found !== undefined)
            mask(found.identityToken ?? found.password);
        return found;
    };
}
/** A registry client with the run's credentials and retries. */
function createRegistry(settings, mask) {
    return createRegistryClient({
        credentials: credentialsLookup(settings, mask),
        retries: settings.retries,
        requestTimeoutMs: settings.registryTimeout * 1000
    });
}
/** The real docker runner (with the run's own docker config) and registry client. */
function createPublishEnv(settings, log, tempDir, dockerConfig, mask) {
    return {
        docker: (0,runner/* createDockerRunner */.P8)('docker', { DOCKER_CONFIG: dockerConfig }),
        registry: createRegistry(settings, mask),
        log,
        retry: { retries: settings.retries },
        tempDir,
        passwords: new Map(settings.logins.map(l => [l.registry, l.password])),
        progress: { pushed: [], skipped: [] }
    };
}


/***/ }),

/***/ 1703:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   dryRunPipeline: () => (/* binding */ dryRunPipeline),
/* harmony export */   previewGuards: () => (/* binding */ previewGuards)
/* harmony export */ });
/* harmony import */ var _docker_runner_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7240);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3916);
/* harmony import */ var _guards_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2614);
/* harmony import */ var _images_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(4525);
/* harmony import */ var _plan_pipeline_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(5252);
/* harmony import */ var _plan_steps_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(2960);
/* harmony import */ var _secrets_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(7194);
/* harmony import */ var _env_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(2832);
/* harmony import */ var _registry_state_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(3416);
/* harmony import */ var _start_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(26);










/** The steps of a real run of these settings (`docker buildx inspect` is read-only). */
async function dryRunPipeline(settings, plan, log) {
    const builder = await (0,_start_js__WEBPACK_IMPORTED_MODULE_8__/* .builderFor */ .h)(settings, (0,_docker_runner_js__WEBPACK_IMPORTED_MODULE_0__/* .createDockerRunner */ .P8)(), log).catch((error) => {
        if (!(error instanceof _docker_runner_js__WEBPACK_IMPORTED_MODULE_0__/* .DockerMissingError */ .$u))
            throw error;
        log.warning(`${error.message}; the steps shown are those of buildx's docker driver`);
        return { name: 'default', driver: 'docker' };
    });
    const files = {
        metadata: '<metadata-file>',
        iid: '<iid-file>',
        secretSpecs: settings.build.secrets.map((line, index) => `id=${(0,_secrets_js__WEBPACK_IMPORTED_MODULE_5__/* .splitSecret */ .j)(line, index).id},src=<file>`)
    };
    return (0,_plan_pipeline_js__WEBPACK_IMPORTED_MODULE_4__/* .pipelineFor */ .SX)({ settings, plan, builder, files });
}
/** The digest a run would publish, when it is known before building. */
async function knownDigest(settings, registry) {
    if (settings.mode !== 'promote')
        return '';
    const source = (0,_images_js__WEBPACK_IMPORTED_MODULE_3__/* .parseImageReference */ .o_)(settings.source, 'source');
    return (await registry.getDigest(source.image.name, source.reference)) ?? '';
}
/**
 * What the guards would decide: the pipeline's own read steps, run for the
 * registries there are credentials for (a dry run without any stays
 * offline); a registry that cannot be read is said so, never guessed.
 */
async function previewGuards(settings, plan, pipeline, log) {
    if (pipeline.read.length === 0)
        return [];
    const lookup = (0,_env_js__WEBPACK_IMPORTED_MODULE_6__/* .credentialsLookup */ .nu)(settings, log.mask);
    const readable = new Set();
    for (const image of plan.images)
        if ((await lookup(image.registry)) !== undefined)
            readable.add(image.registry);
    const notes = plan.images
        .filter(i => !readable.has(i.registry))
        .map(i => `${i.name}: not read (no credentials for ${i.registry}), so the guards' decisions are unknown`);
    const steps = pipeline.read.filter(s => readable.has(s.image.registry) && s.reference !== _plan_steps_js__WEBPACK_IMPORTED_MODULE_9__/* .DIGEST */ .Dh);
    if (steps.length === 0)
        return notes;
    try {
        const registry = (0,_env_js__WEBPACK_IMPORTED_MODULE_6__/* .createRegistry */ .Iq)(settings, log.mask);
        const digest = await knownDigest(settings, registry);
        const states = await (0,_registry_state_js__WEBPACK_IMPORTED_MODULE_7__/* .readStates */ .rs)(registry, steps, () => digest);
        const plans = (0,_registry_state_js__WEBPACK_IMPORTED_MODULE_7__/* .decideImages */ .rY)(states, plan.tags, () => digest, settings);
        return [
            ...plans.flatMap(({ image, decision }) => (0,_guards_js__WEBPACK_IMPORTED_MODULE_2__/* .describeDecision */ .K)(decision, image.name)),
            ...notes
        ];
    }
    catch (error) {
        return [
            `the registries could not be read, so the guards' decisions are unknown: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .errorMessage */ .g)(error)}`
        ];
    }
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

/***/ 26:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  h: () => (/* binding */ builderFor),
  startRun: () => (/* binding */ startRun)
});

// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/plan/builder.ts
var plan_builder = __webpack_require__(4548);
// EXTERNAL MODULE: ./src/docker/diagnose.ts
var diagnose = __webpack_require__(3802);
// EXTERNAL MODULE: ./src/docker/runner.ts
var runner = __webpack_require__(7240);
;// CONCATENATED MODULE: ./src/docker/builder.ts
/** Which builder will run a build: `docker buildx inspect` (read-only). */






function inspectArgs(builder) {
    return ['buildx', 'inspect', ...(builder === '' ? [] : [builder])];
}
/** The builder's name and driver from `buildx inspect`'s first lines. */
function parseInspect(stdout) {
    const field = (name) => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(stdout)?.[1] ?? '';
    return { name: field('Name'), driver: field('Driver') };
}
const NO_SUCH_BUILDER = /no builder .* found/i;
const DEFAULT_BUILDER = { name: 'default', driver: 'docker' };
/**
 * Whether buildx would use the context's default builder (the docker
 * driver): no builder named by the input or BUILDX_BUILDER, and buildx's
 * own buildx/current names the default (setup-buildx-action writes its
 * builder's name there). Known without starting buildx; anything else
 * (no such file: buildx may not even be installed) is asked of `buildx inspect`.
 */
function usesDefaultBuilder(name, { configDir, env = process.env }) {
    if (name !== '' || configDir === undefined || env.BUILDX_BUILDER)
        return false;
    const file = (0,external_node_path_.join)(configDir, 'buildx', 'current');
    if (!(0,external_node_fs_.existsSync)(file))
        return false;
    try {
        return (JSON.parse((0,external_node_fs_.readFileSync)(file, 'utf8')).Name === '');
    }
    catch {
        return false;
    }
}
const CONTAINERD_STORE = /io\.containerd\.snapshotter/;
/** Which image store the daemon uses (docker info, read-only). */
async function imageStore(docker) {
    const { stdout } = await docker.run(['info', '--format', '{{json .DriverStatus}}'], { quiet: true });
    return CONTAINERD_STORE.test(stdout) ? 'containerd' : 'classic';
}
/**
 * The builder the `builder` input names, or buildx's current one (what
 * docker/setup-buildx-action made the default); the classic build when
 * buildx is missing; for several platforms on the docker driver, its image
 * store too.
 */
async function detectBuilder(docker, name, severalPlatforms = false, buildxChoice = {}) {
    try {
        const builder = usesDefaultBuilder(name, buildxChoice)
            ? DEFAULT_BUILDER
            : parseInspect((await docker.run(inspectArgs(name), { quiet: true })).stdout);
        // the docker driver builds several platforms only on containerd's store
        if (severalPlatforms && builder.driver === 'docker')
            return { ...builder, store: await imageStore(docker) };
        return builder;
    }
    catch (error) {
        if ((0,runner/* isBuildxMissing */.Tk)(error))
            return plan_builder/* CLASSIC */.NR;
        if (error instanceof runner/* DockerCommandError */.YJ &&
            NO_SUCH_BUILDER.test(error.output))
            throw new errors/* InputError */.d('builder', name, 'no such builder: `docker buildx ls` lists them (docker/setup-buildx-action outputs its name)');
        throw (0,diagnose/* diagnose */.h)(error);
    }
}

// EXTERNAL MODULE: ./src/docker/config.ts
var config = __webpack_require__(656);
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

// EXTERNAL MODULE: ./src/plan/pipeline.ts + 1 modules
var pipeline = __webpack_require__(5252);
// EXTERNAL MODULE: ./src/publish/env.ts + 7 modules
var publish_env = __webpack_require__(2832);
;// CONCATENATED MODULE: ./src/publish/start.ts
/** Sets a real run up: its own docker config, the builder, the steps, the adapters. */







/** The builder that will run, logged (modes that do not build need none). */
async function builderFor(settings, docker, log) {
    if (!(0,pipeline/* needsBuilder */.BM)(settings))
        return plan_builder/* CLASSIC */.NR;
    if ((0,pipeline/* buildsAsAsked */.a0)(settings))
        log.notice('outputs or call is set: the build goes where they say, so no tag is pushed or checked by this action');
    const builder = await detectBuilder(docker, settings.build.builder, settings.build.platforms.length > 1, { configDir: (0,config/* userConfigDir */.dH)() });
    log.info(`Builder: ${(0,plan_builder/* describeBuilder */.nG)(builder)}`);
    if (builder.driver === 'classic')
        log.notice('docker buildx is not available: building with the classic `docker build` and pushing with `docker push`');
    return builder;
}
async function startRun(settings, plan, log, tempDir) {
    const dockerConfig = (0,config/* createRunConfig */.AN)((0,config/* userConfigDir */.dH)(), tempDir, settings.logins.map(l => l.registry));
    const env = (0,publish_env/* createPublishEnv */.hz)(settings, log, tempDir, dockerConfig, log.mask);
    const files = {
        metadata: (0,external_node_path_.join)(tempDir, 'build-metadata.json'),
        iid: (0,external_node_path_.join)(tempDir, 'iid'),
        secretSpecs: writeSecretFiles(settings.build.secrets, tempDir)
    };
    const builder = await builderFor(settings, env.docker, log);
    return { pipeline: (0,pipeline/* pipelineFor */.SX)({ settings, plan, builder, files }), env };
}


/***/ })

};
