export const id = 330;
export const ids = [330,416];
export const modules = {

/***/ 2330:
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

// EXTERNAL MODULE: ./src/docker/runner.ts
var runner = __webpack_require__(7240);
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
    const diagnosed = (0,diagnose/* diagnose */.h)(error, registries);
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
// EXTERNAL MODULE: ./src/docker/login.ts
var login = __webpack_require__(4377);
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

// EXTERNAL MODULE: ./src/docker/retrying.ts
var retrying = __webpack_require__(6396);
;// CONCATENATED MODULE: ./src/publish/push.ts


const PUSHED_DIGEST = /digest: (sha256:[0-9a-f]{64})/;
/**
 * `docker push` of one reference (the daemon sends the image from its store,
 * each layer once); returns the digest the registry confirmed.
 */
async function dockerPush(image, tag, env) {
    const ref = `${image.name}:${tag}`;
    const { stdout } = await (0,retrying/* retryDocker */.J)(() => env.docker.run(['push', ref]), env.retry, `push ${ref}`).catch((error) => {
        throw (0,diagnose/* diagnose */.h)(error, [image.registry]);
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
        await env.log.group('Login', () => (0,login/* loginAll */.Z)(env.docker, settings.logins, env.onLoggedIn, env.retry));
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
    await env.log.group('Login', () => (0,login/* loginAll */.Z)(env.docker, settings.logins, env.onLoggedIn, env.retry));
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
        : (0,diagnose/* diagnose */.h)(error, registries);
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
    await (0,retrying/* retryDocker */.J)(() => docker.run((0,imagetools_args/* imagetoolsCreateArgs */.Y)(targets, sources)), retry, `imagetools create ${targets.join(', ')}`).catch((error) => {
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
    await env.log.group('Login', () => (0,login/* loginAll */.Z)(env.docker, settings.logins, env.onLoggedIn, env.retry));
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
    await env.log.group('Login', () => (0,login/* loginAll */.Z)(env.docker, settings.logins, env.onLoggedIn, env.retry));
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


/***/ })

};
