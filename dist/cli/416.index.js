export const id = 416;
export const ids = [416];
export const modules = {

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
