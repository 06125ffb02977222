import{d as a,e as b}from"./chunk-QJRT74D2.js";import"./chunk-ALGF2HZZ.js";import"./chunk-7NILXOKB.js";import"./chunk-RTJJ3MOF.js";import"./chunk-PHKIAKHS.js";export{a as builderFor,b as startRun};
