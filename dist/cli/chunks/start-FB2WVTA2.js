import{d as a,e as b}from"./chunk-VVG4SAOH.js";import"./chunk-ALGF2HZZ.js";import"./chunk-JEJOIKPX.js";import"./chunk-RTJJ3MOF.js";import"./chunk-PHKIAKHS.js";export{a as builderFor,b as startRun};
