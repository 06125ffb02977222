import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{mkdtempSync as o,rmSync as e}from"node:fs";import{tmpdir as i}from"node:os";import{join as t}from"node:path";function u(r=process.env.RUNNER_TEMP||i()){return o(t(r,"docker-publish-"))}function c(r){r!==""&&e(r,{recursive:!0,force:!0})}export{u as a,c as b};
