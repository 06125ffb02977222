export const id = 703;
export const ids = [703];
export const modules = {

/***/ 1799:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  w: () => (/* binding */ decideTags),
  K: () => (/* binding */ describeDecision)
});

// EXTERNAL MODULE: ./src/tags/version.ts
var tags_version = __webpack_require__(2561);
;// CONCATENATED MODULE: ./src/guards/channels.ts

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
            const version = (0,tags_version/* parseReleaseVersion */.LQ)(name.slice(start, end));
            if (version?.stable !== true || (0,tags_version/* coreVersion */.kI)(version) !== core)
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
                const version = (0,tags_version/* parseReleaseVersion */.LQ)(middle);
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
    const target = (0,tags_version/* parseReleaseVersion */.LQ)(line.version);
    if (target === undefined)
        return undefined;
    let newest;
    for (const candidate of published) {
        if (!inLine(line.scope, target, candidate.version))
            continue;
        if ((0,tags_version/* compareReleaseVersions */.w3)(candidate.version, target) <= 0)
            continue;
        if (newest === undefined ||
            (0,tags_version/* compareReleaseVersions */.w3)(candidate.version, newest.version) > 0) {
            newest = candidate;
        }
    }
    return newest;
}

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
    const target = (0,tags_version/* parseReleaseVersion */.LQ)(line.version);
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
    const release = kept.find(k => splitsOf(k.name, line.version).length > 0);
    if (release !== undefined) {
        return { to: 'skipped', reason: releaseKeptReason(release) };
    }
    if (index === undefined)
        return { to: 'floating' };
    const channel = channelOf(tag.name, line, input.tags);
    const newer = newerInLine(line, index.stable(channel));
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
        ? new ReleaseIndex(input.existingTags)
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

/***/ 1703:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   dryRunPipeline: () => (/* binding */ dryRunPipeline),
/* harmony export */   previewGuards: () => (/* binding */ previewGuards)
/* harmony export */ });
/* harmony import */ var _docker_runner_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7240);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3916);
/* harmony import */ var _guards_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1799);
/* harmony import */ var _images_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(4525);
/* harmony import */ var _plan_pipeline_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(5176);
/* harmony import */ var _plan_steps_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(2960);
/* harmony import */ var _secrets_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(7194);
/* harmony import */ var _env_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(5924);
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
/* harmony import */ var _guards_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1799);
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


/***/ })

};
