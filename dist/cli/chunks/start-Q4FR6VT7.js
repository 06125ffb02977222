import{e as a,f as b}from"./chunk-DAYU4KTA.js";import"./chunk-ALGF2HZZ.js";import"./chunk-7NILXOKB.js";import"./chunk-RTJJ3MOF.js";import"./chunk-PHKIAKHS.js";export{a as builderFor,b as startRun};
