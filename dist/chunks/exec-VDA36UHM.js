import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{a,b}from"./chunk-T7GNMVGF.js";import"./chunk-EEEC4TXW.js";export{a as exec,b as getExecOutput};
