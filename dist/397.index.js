export const id = 397;
export const ids = [397];
export const modules = {

/***/ 3802:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   B: () => (/* binding */ isAuthRefusal),
/* harmony export */   h: () => (/* binding */ diagnose)
/* harmony export */ });
/* harmony import */ var _runner_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7240);

const DAEMON_DOWN = /Cannot connect to the Docker daemon|Is the docker daemon running|error during connect/i;
const UNAUTHORIZED = /401 Unauthorized|unauthorized:|incorrect username or password/i;
/** Whether docker said the registry refused the credentials (or said so for a 5xx). */
function isAuthRefusal(error) {
    return error instanceof _runner_js__WEBPACK_IMPORTED_MODULE_0__/* .DockerCommandError */ .YJ && UNAUTHORIZED.test(error.output);
}
const FORBIDDEN = /403 Forbidden|denied:|insufficient_scope/i;
const UNREACHABLE = /connection refused|no such host|i\/o timeout|network is unreachable|connection reset|TLS handshake timeout|server gave HTTP response to HTTPS client/i;
function firstMatch(output, pattern) {
    return (output
        .split('\n')
        .find(line => pattern.test(line))
        ?.trim() ?? '');
}
// where a line of docker's says it talked to: a URL, a DNS lookup, a dial
const HOST_IN_LINE = [
    /https?:\/\/([^/\s"']+)/,
    /lookup ([^\s:]+)/,
    /dial tcp ([^\s]+?):? /
];
/** The host the line that said what failed names, if it names one. */
function hostNamed(output, patterns) {
    const line = patterns
        .map(pattern => firstMatch(output, pattern))
        .find(found => found !== '');
    if (line === undefined)
        return undefined;
    for (const host of HOST_IN_LINE) {
        const match = host.exec(line);
        if (match !== null)
            return match[1];
    }
    return undefined;
}
/**
 * Turns a failed docker command into the message a user needs: which thing
 * is wrong (daemon, credentials, registry) and the line docker said it in.
 * The registry named is the host that line names (an SBOM scanner image on
 * Docker Hub is not the registry of the push), else the command's registry.
 */
function diagnose(error, registries = []) {
    if (!(error instanceof _runner_js__WEBPACK_IMPORTED_MODULE_0__/* .DockerCommandError */ .YJ))
        return error;
    const { output } = error;
    const registry = hostNamed(output, [UNAUTHORIZED, FORBIDDEN, UNREACHABLE]) ??
        (registries.length === 1
            ? registries[0]
            : registries.find(r => output.includes(r)));
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


/***/ }),

/***/ 7240:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $u: () => (/* binding */ DockerMissingError),
/* harmony export */   P8: () => (/* binding */ createDockerRunner),
/* harmony export */   Tk: () => (/* binding */ isBuildxMissing),
/* harmony export */   YJ: () => (/* binding */ DockerCommandError),
/* harmony export */   Zn: () => (/* binding */ BuildxMissingError)
/* harmony export */ });
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
/**
 * Judges by exit code alone; output on stderr is not an error by itself.
 * `env` is added to this process's environment (a run's DOCKER_CONFIG).
 */
function createDockerRunner(binary = 'docker', env = {}) {
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
                    silent: options.quiet === true,
                    env: { ...process.env, ...env }
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

/***/ 8573:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  _u: () => (/* binding */ CLASSIC_STORE_ONE_PLATFORM),
  uM: () => (/* binding */ localBuild),
  bJ: () => (/* binding */ stagedBuild),
  AR: () => (/* binding */ stagedPlatform)
});

// UNUSED EXPORTS: requirePlatformsFit

// EXTERNAL MODULE: ./src/labels.ts
var labels = __webpack_require__(4584);
// EXTERNAL MODULE: ./src/secrets.ts
var secrets = __webpack_require__(7194);
;// CONCATENATED MODULE: ./src/docker/buildx-args.ts


function repeated(flag, values) {
    return values.flatMap(value => [flag, value]);
}
/**
 * `--secret` specs of the secret inputs, none holding a secret value: the
 * `secrets` values are already in files (request.secretSpecs); a secret
 * file is the user's path; a secret env names the variable buildx reads.
 */
function secretSpecs(request) {
    const { secretFiles, secretEnvs } = request.build;
    const spec = (input, key) => (line, i) => {
        const { id, value } = (0,secrets/* splitSecret */.j)(line, i, input);
        return `id=${id},${key}=${value}`;
    };
    return [
        ...request.secretSpecs,
        ...secretFiles.map(spec('secret-files', 'src')),
        ...secretEnvs.map(spec('secret-envs', 'env'))
    ];
}
function outputArgs(request) {
    const { build, pushByDigestTo } = request;
    if (pushByDigestTo !== undefined) {
        // buildx reads --output as CSV: several names need a quoted field
        const names = pushByDigestTo.join(',');
        const name = pushByDigestTo.length > 1 ? `"name=${names}"` : `name=${names}`;
        return [
            '--output',
            `type=image,${name},push-by-digest=true,name-canonical=true,push=true`
        ];
    }
    const args = [
        ...repeated('--output', build.outputs),
        ...(build.push ? ['--push'] : [])
    ];
    return build.load ? [...args, '--load'] : args;
}
function optional(flag, value) {
    return value === '' ? [] : [flag, value];
}
/** build-push-action's options that pass to buildx as given. */
function optionArgs(build) {
    return [
        ...repeated('--add-host', build.addHosts),
        ...repeated('--allow', build.allow),
        ...repeated('--attest', build.attests),
        ...optional('--call', build.call),
        ...optional('--cgroup-parent', build.cgroupParent),
        ...optional('--network', build.network),
        ...repeated('--no-cache-filter', build.noCacheFilters),
        ...optional('--shm-size', build.shmSize),
        ...repeated('--ulimit', build.ulimits)
    ];
}
/** argv (after `docker`) for one `buildx build`; nothing secret ever goes in it. */
function buildxBuildArgs(request) {
    const { build } = request;
    const tags = request.pushByDigestTo === undefined ? request.refs : [];
    return [
        'buildx',
        'build',
        ...(build.builder ? ['--builder', build.builder] : []),
        ...(build.file ? ['--file', build.file] : []),
        ...(build.target ? ['--target', build.target] : []),
        ...(build.platforms.length
            ? ['--platform', build.platforms.join(',')]
            : []),
        ...repeated('--tag', tags),
        ...repeated('--label', (0,labels/* formatKeyValues */.Rd)(request.labels)),
        ...repeated('--annotation', (0,labels/* formatKeyValues */.Rd)(request.annotations)),
        ...repeated('--build-arg', build.buildArgs),
        ...repeated('--build-context', build.buildContexts),
        ...repeated('--cache-from', build.cacheFrom),
        ...repeated('--cache-to', build.cacheTo),
        ...repeated('--secret', secretSpecs(request)),
        ...repeated('--ssh', build.ssh),
        ...optionArgs(build),
        `--provenance=${build.provenance === false ? 'false' : build.provenance}`,
        `--sbom=${build.sbom === false ? 'false' : build.sbom}`,
        ...(build.pull ? ['--pull'] : []),
        ...(build.noCache ? ['--no-cache'] : []),
        ...outputArgs(request),
        '--metadata-file',
        request.metadataFile,
        build.context
    ];
}
/** argv for the classic `docker build` (no buildx): the options it understands. */
function classicBuildArgs(job, iidFile) {
    const { build } = job;
    return [
        'build',
        ...(build.file ? ['--file', build.file] : []),
        ...(build.target ? ['--target', build.target] : []),
        ...(build.platforms.length ? ['--platform', build.platforms[0]] : []),
        ...repeated('--tag', job.refs),
        ...repeated('--label', (0,labels/* formatKeyValues */.Rd)(job.labels)),
        ...repeated('--build-arg', build.buildArgs),
        ...(build.pull ? ['--pull'] : []),
        ...(build.noCache ? ['--no-cache'] : []),
        '--iidfile',
        iidFile,
        build.context
    ];
}

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/plan/builder.ts
var plan_builder = __webpack_require__(4548);
;// CONCATENATED MODULE: ./src/plan/build-steps.ts



const registriesOf = (images) => [
    ...new Set(images.map(i => i.registry))
];
function buildStep(argv, images, step = 'build') {
    return { step, argv, registries: registriesOf(images) };
}
/**
 * The build's SOURCE_DATE_EPOCH (the commit time, unless the user set it):
 * BuildKit stamps it as the image's creation time, so a re-run of the same
 * commit does not differ by the clock alone.
 */
function withSourceDateEpoch(plan, build) {
    if (build.buildArgs.some(arg => arg.startsWith('SOURCE_DATE_EPOCH=')))
        return build;
    const epoch = `SOURCE_DATE_EPOCH=${plan.sourceDateEpoch}`;
    return { ...build, buildArgs: [...build.buildArgs, epoch] };
}
function buildx(plan, files, build, refs, pushByDigestTo) {
    const request = {
        build: withSourceDateEpoch(plan, build),
        refs,
        labels: plan.labels,
        annotations: plan.annotations,
        metadataFile: files.metadata,
        secretSpecs: files.secretSpecs,
        pushByDigestTo
    };
    return buildxBuildArgs(request);
}
function classic(plan, files, build, refs) {
    const job = {
        build: withSourceDateEpoch(plan, build),
        refs,
        labels: plan.labels
    };
    return classicBuildArgs(job, files.iid);
}
const CLASSIC_STORE_ONE_PLATFORM = "buildx's docker driver on the classic image store builds one platform: add docker/setup-buildx-action before this step, or turn on the containerd image store";
/** Several platforms on a one-platform builder: refused before any step runs. */
function requirePlatformsFit(build, builder) {
    if (build.platforms.length > 1 && (0,plan_builder/* buildsOnePlatform */.lV)(builder))
        throw new errors/* InputError */.d('platforms', build.platforms.join(','), builder.driver === 'classic'
            ? 'several platforms need buildx, which this docker lacks: install the buildx plugin or add docker/setup-buildx-action before this step'
            : CLASSIC_STORE_ONE_PLATFORM);
}
/** The build as the inputs ask, nothing pushed (push: false). */
function localBuild(plan, build, builder, files) {
    requirePlatformsFit(build, builder);
    if (builder.driver === 'classic') {
        const argv = classic(plan, files, build, plan.refs);
        return { stage: [buildStep(argv, [])], cleanup: [] };
    }
    return {
        stage: [buildStep(buildx(plan, files, build, plan.refs), [])],
        cleanup: []
    };
}
/**
 * Builders that keep the image in the daemon (buildx's docker driver, the
 * classic build) cannot push by digest: the image goes up under a staging
 * tag no one pulls, and the local staging reference is removed afterwards.
 */
function stagedThroughDaemon(plan, build, builder, files, staging) {
    requirePlatformsFit(build, builder);
    const images = plan.images;
    const stagingRefs = images.map(image => `${image.name}:${staging}`);
    const stage = builder.driver === 'classic'
        ? [
            buildStep(classic(plan, files, build, stagingRefs), []),
            ...images.map(image => ({
                ...buildStep(['push', `${image.name}:${staging}`], [image], 'push'),
                image
            }))
        ]
        : [
            buildStep(buildx(plan, files, { ...build, push: true, load: false }, stagingRefs), images)
        ];
    const load = build.load
        ? images.flatMap(image => plan.tags.map(tag => buildStep(['tag', `${image.name}:${staging}`, `${image.name}:${tag.name}`], [], 'load')))
        : [];
    return {
        stage: [...stage, ...load],
        cleanup: [buildStep(['image', 'rm', ...stagingRefs], [], 'cleanup')]
    };
}
/**
 * Pushes the build so that its digest is known and no tag a user pulls has
 * moved yet: by digest where the builder can, else under `staging`. A load
 * the builder cannot do in the same build is a second, cached build.
 */
function stagedBuild(plan, build, builder, files, staging) {
    if ((0,plan_builder/* buildsIntoDaemon */.Ot)(builder))
        return stagedThroughDaemon(plan, build, builder, files, staging);
    const names = plan.images.map(image => image.name);
    const pushed = buildStep(buildx(plan, files, { ...build, push: true, load: false }, [], names), plan.images);
    const load = build.load
        ? [
            buildStep(buildx(plan, files, { ...build, push: false, load: true }, plan.refs), [], 'load')
        ]
        : [];
    return { stage: [pushed, ...load], cleanup: [] };
}
/** mode digest: one platform under the run's staging tag, where the merge job finds it. */
function stagedPlatform(plan, build, builder, files, staging) {
    const refs = plan.images.map(image => `${image.name}:${staging}`);
    if ((0,plan_builder/* buildsIntoDaemon */.Ot)(builder))
        return stagedThroughDaemon(plan, { ...build, load: false }, builder, files, staging);
    return {
        stage: [
            buildStep(buildx(plan, files, { ...build, push: true, load: false }, refs), plan.images)
        ],
        cleanup: []
    };
}


/***/ }),

/***/ 4548:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   NR: () => (/* binding */ CLASSIC),
/* harmony export */   Ot: () => (/* binding */ buildsIntoDaemon),
/* harmony export */   lV: () => (/* binding */ buildsOnePlatform),
/* harmony export */   nG: () => (/* binding */ describeBuilder)
/* harmony export */ });
const CLASSIC = { name: '', driver: 'classic' };
/** Builders that keep what they build in the daemon's image store and cannot push by digest. */
function buildsIntoDaemon(builder) {
    return builder.driver === 'docker' || builder.driver === 'classic';
}
/** Whether the builder can build only one platform (so several fail before any step). */
function buildsOnePlatform(builder) {
    return (builder.driver === 'classic' ||
        (builder.driver === 'docker' && builder.store === 'classic'));
}
function describeBuilder(builder) {
    return builder.driver === 'classic'
        ? 'the classic docker build (no buildx)'
        : `${builder.name} (driver ${builder.driver})`;
}


/***/ }),

/***/ 8933:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  DI: () => (/* binding */ mergeStage),
  q: () => (/* binding */ promoteNeedsDocker),
  Fj: () => (/* binding */ promoteStage),
  pZ: () => (/* binding */ stagedDigest)
});

;// CONCATENATED MODULE: ./src/docker/imagetools-args.ts
/** argv for `imagetools create`: the sources (name@digest) joined under the targets. */
function imagetoolsCreateArgs(targets, sources, dryRun = false) {
    return [
        'buildx',
        'imagetools',
        'create',
        ...(dryRun ? ['--dry-run'] : []),
        ...targets.flatMap(target => ['--tag', target]),
        ...sources
    ];
}

// EXTERNAL MODULE: ./src/registry/reference.ts
var registry_reference = __webpack_require__(9310);
// EXTERNAL MODULE: ./src/plan/registry-steps.ts
var registry_steps = __webpack_require__(3870);
// EXTERNAL MODULE: ./src/plan/staging.ts
var staging = __webpack_require__(694);
// EXTERNAL MODULE: ./src/plan/steps.ts
var steps = __webpack_require__(2960);
;// CONCATENATED MODULE: ./src/plan/copy-steps.ts
/** promote and merge: the image lands by digest (no tag moves) before the guards decide. */





/** Stands for the digest a digest-mode leg staged under `tag`. */
function stagedDigest(tag) {
    return `<digest of ${tag}>`;
}
/**
 * imagetools create, first with --dry-run (the bytes it would push, so the
 * digest is known), then by that digest: the image lands, no tag moves.
 */
function imagetoolsSteps(image, sources, registries) {
    return [
        {
            step: 'predict',
            argv: imagetoolsCreateArgs([image.name], sources, true),
            registries,
            image
        },
        {
            step: 'index',
            argv: imagetoolsCreateArgs([`${image.name}@${steps/* DIGEST */.Dh}`], sources),
            registries,
            image
        }
    ];
}
/**
 * mode promote: read where the source points; copy it into each image's
 * repository by digest (blob mounts within its registry, imagetools to
 * another one).
 */
function promoteStage(source, reference, images) {
    const pinned = `${source.name}@${steps/* SOURCE_DIGEST */.Rc}`;
    return [
        (0,registry_steps/* headStep */.BC)('source', source, reference),
        ...images.flatMap((image) => image.registry === source.registry
            ? [
                {
                    step: 'mount',
                    method: 'POST',
                    url: (0,registry_reference/* mountUrl */.Xu)(image.name, '<each blob>', source.name),
                    image,
                    reference: steps/* SOURCE_DIGEST */.Rc
                },
                {
                    step: 'copy',
                    method: 'PUT',
                    url: (0,registry_reference/* manifestUrl */.hO)(image.name, steps/* SOURCE_DIGEST */.Rc),
                    image,
                    reference: steps/* SOURCE_DIGEST */.Rc
                }
            ]
            : imagetoolsSteps(image, [pinned], [image.registry, source.registry]))
    ];
}
/** Whether promote needs docker (and so the logins): only to copy across registries. */
function promoteNeedsDocker(source, images) {
    return images.some(image => image.registry !== source.registry);
}
/** mode merge: each leg's staged digest, then one index of them per image. */
function mergeStage(images, platforms, buildId) {
    const tags = platforms.map(platform => (0,staging/* stagingTag */.a)(buildId, platform));
    return images.flatMap(image => [
        ...platforms.map((platform, i) => ({
            ...(0,registry_steps/* headStep */.BC)('staged', image, tags[i]),
            platform
        })),
        ...imagetoolsSteps(image, tags.map(tag => `${image.name}@${stagedDigest(tag)}`), [image.registry])
    ]);
}


/***/ }),

/***/ 3870:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   BC: () => (/* binding */ headStep),
/* harmony export */   I$: () => (/* binding */ readSteps),
/* harmony export */   Vc: () => (/* binding */ readBackSteps),
/* harmony export */   _9: () => (/* binding */ headSteps),
/* harmony export */   en: () => (/* binding */ tagSteps)
/* harmony export */ });
/* unused harmony export isExactTag */
/* harmony import */ var _registry_reference_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9310);
/* harmony import */ var _steps_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2960);


/** Tags the guards treat as exact (release and fixed tags): pointed before any floating one. */
function isExactTag(tag) {
    return tag.kind !== 'floating';
}
function headStep(step, image, reference) {
    return {
        step,
        method: 'HEAD',
        url: (0,_registry_reference_js__WEBPACK_IMPORTED_MODULE_0__/* .manifestUrl */ .hO)(image.name, reference),
        image,
        reference
    };
}
/**
 * The fresh read: each image's tag list, where each of our tags points now,
 * and the manifest our tags will point at (its bytes go into each PUT).
 */
function readSteps(images, tags) {
    return images.flatMap(image => [
        {
            step: 'read',
            method: 'GET',
            url: (0,_registry_reference_js__WEBPACK_IMPORTED_MODULE_0__/* .tagsUrl */ .tW)(image.name),
            image,
            reference: ''
        },
        ...tags.map(tag => headStep('read', image, tag.name)),
        {
            step: 'read',
            method: 'GET',
            url: (0,_registry_reference_js__WEBPACK_IMPORTED_MODULE_0__/* .manifestUrl */ .hO)(image.name, _steps_js__WEBPACK_IMPORTED_MODULE_1__/* .DIGEST */ .Dh),
            image,
            reference: _steps_js__WEBPACK_IMPORTED_MODULE_1__/* .DIGEST */ .Dh
        },
        ...tags
            .filter(tag => tag.kind === 'version')
            .map(tag => ({
            ...getStep('revision', image, tag.name),
            when: `${tag.name} exists on another digest`
        }))
    ]);
}
function getStep(step, image, reference) {
    return {
        step,
        method: 'GET',
        url: (0,_registry_reference_js__WEBPACK_IMPORTED_MODULE_0__/* .manifestUrl */ .hO)(image.name, reference),
        image,
        reference
    };
}
/** One manifest PUT per tag: every exact tag of every image, then the floating ones. */
function tagSteps(images, tags) {
    const ordered = [
        ...tags.filter(isExactTag),
        ...tags.filter(t => !isExactTag(t))
    ];
    return ordered.flatMap(tag => images.map(image => ({
        step: 'tag',
        method: 'PUT',
        url: (0,_registry_reference_js__WEBPACK_IMPORTED_MODULE_0__/* .manifestUrl */ .hO)(image.name, tag.name),
        image,
        reference: tag.name,
        tag
    })));
}
/** Where each reference points now (a digest leg's staging tag). */
function headSteps(images, tags) {
    return images.flatMap(image => tags.map(tag => headStep('read-back', image, tag.name)));
}
/**
 * The read-back: each image's tag list and where our tags point now; a
 * floating tag that another run moved meanwhile (or whose line a newer
 * release took) is repaired where its line ends.
 */
function readBackSteps(images, tags) {
    return images.flatMap(image => [
        {
            step: 'read-back',
            method: 'GET',
            url: (0,_registry_reference_js__WEBPACK_IMPORTED_MODULE_0__/* .tagsUrl */ .tW)(image.name),
            image,
            reference: ''
        },
        ...tags.map(tag => ({ ...headStep('read-back', image, tag.name), tag })),
        ...tags
            .filter(tag => tag.line !== undefined)
            .map(tag => ({
            step: 'repair',
            method: 'PUT',
            url: (0,_registry_reference_js__WEBPACK_IMPORTED_MODULE_0__/* .manifestUrl */ .hO)(image.name, tag.name),
            image,
            reference: tag.name,
            tag,
            when: `${tag.name} is not on the newest release of its line`
        }))
    ]);
}


/***/ }),

/***/ 694:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   a: () => (/* binding */ stagingTag)
/* harmony export */ });
/* harmony import */ var _tags_sanitize_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7266);

/**
 * The tag an image waits under before the guards let any tag a user pulls
 * move: a digest-mode leg's platform (where the merge job finds it by name)
 * or, on builders that cannot push by digest, the build itself.
 */
function stagingTag(buildId, platform = '') {
    const name = platform === '' ? `build-${buildId}` : `build-${buildId}-${platform}`;
    return (0,_tags_sanitize_js__WEBPACK_IMPORTED_MODULE_0__/* .sanitizeTag */ .iP)(name) ?? `build-${buildId}`;
}


/***/ }),

/***/ 6764:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   LW: () => (/* binding */ classifyNetworkError),
/* harmony export */   gl: () => (/* binding */ RegistryError),
/* harmony export */   ue: () => (/* binding */ responseFailure),
/* harmony export */   wm: () => (/* binding */ authFailed)
/* harmony export */ });
/* unused harmony exports parseRetryAfter, errorBodyDetail, statusText, describeUser */
/* harmony import */ var _retry_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1521);
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
    if (error instanceof _retry_js__WEBPACK_IMPORTED_MODULE_0__/* .TransientError */ .N_ || error instanceof RegistryError) {
        return error;
    }
    const name = errorName(error);
    if (name === 'TimeoutError' || name === 'AbortError') {
        return new _retry_js__WEBPACK_IMPORTED_MODULE_0__/* .TransientError */ .N_(`no response within ${timeoutMs} ms`, {
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
    return new _retry_js__WEBPACK_IMPORTED_MODULE_0__/* .TransientError */ .N_(code ? `${detail} (${code})` : detail, {
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
        return new _retry_js__WEBPACK_IMPORTED_MODULE_0__/* .TransientError */ .N_(detail ? `${status}: ${detail}` : status, {
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


/***/ }),

/***/ 9310:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   SU: () => (/* binding */ parseRepository),
/* harmony export */   Xu: () => (/* binding */ mountUrl),
/* harmony export */   hO: () => (/* binding */ manifestUrl),
/* harmony export */   l5: () => (/* binding */ parseRegistry),
/* harmony export */   tW: () => (/* binding */ tagsUrl),
/* harmony export */   y0: () => (/* binding */ apiUrl)
/* harmony export */ });
/* unused harmony exports DOCKER_HUB, isLoopbackHost */
/* harmony import */ var _images_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(4525);

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
    const hasHost = slash !== -1 && (0,_images_js__WEBPACK_IMPORTED_MODULE_0__/* .isRegistryHost */ .EV)(first);
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
/** An API URL as the client requests it (a placeholder such as <digest> stays readable). */
function apiUrl(endpoint, path) {
    return `${endpoint.scheme}://${endpoint.apiHost}${path}`;
}
/** Where a manifest of an image lives: by tag, by digest, or a placeholder for one. */
function manifestUrl(image, reference) {
    const ref = parseRepository(image);
    return apiUrl(ref, `/v2/${ref.repository}/manifests/${reference}`);
}
/** Where an image's tag list lives. */
function tagsUrl(image) {
    const ref = parseRepository(image);
    return apiUrl(ref, `/v2/${ref.repository}/tags/list`);
}
/** Where a blob of another repository of the same registry is mounted into an image. */
function mountUrl(image, blob, fromImage) {
    const ref = parseRepository(image);
    const from = parseRepository(fromImage).repository;
    return apiUrl(ref, `/v2/${ref.repository}/blobs/uploads/?mount=${blob}&from=${from}`);
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
