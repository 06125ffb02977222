import{d as a,e as b}from"./chunk-GTT3E3YP.js";import"./chunk-FBC4YK26.js";import"./chunk-42BNAO3Q.js";import"./chunk-RTJJ3MOF.js";import"./chunk-PHKIAKHS.js";export{a as builderFor,b as startRun};
