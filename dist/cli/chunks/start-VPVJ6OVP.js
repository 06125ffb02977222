import{d as a,e as b}from"./chunk-PTZ6OMME.js";import"./chunk-ZSC7N5LL.js";import"./chunk-I5F7PZJO.js";import"./chunk-ZMKKRYJF.js";import"./chunk-PHKIAKHS.js";export{a as builderFor,b as startRun};
