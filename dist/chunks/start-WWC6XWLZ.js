import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{d as a,e as b}from"./chunk-5R5DCSIH.js";import"./chunk-HXXZL4WT.js";import"./chunk-ECJD2KLN.js";import"./chunk-3NDCCVGL.js";import"./chunk-32GIXTD4.js";import"./chunk-EEEC4TXW.js";export{a as builderFor,b as startRun};
