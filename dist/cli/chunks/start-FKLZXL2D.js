import{d as a,e as b}from"./chunk-3AALJQOR.js";import"./chunk-FBC4YK26.js";import"./chunk-7NILXOKB.js";import"./chunk-RTJJ3MOF.js";import"./chunk-PHKIAKHS.js";export{a as builderFor,b as startRun};
