import{d as a,e as b}from"./chunk-4ATVIWTZ.js";import"./chunk-ALGF2HZZ.js";import"./chunk-2L3MXNWK.js";import"./chunk-RTJJ3MOF.js";import"./chunk-PHKIAKHS.js";export{a as builderFor,b as startRun};
