import{d as a,e as b}from"./chunk-IS4UASF6.js";import"./chunk-6GOHGQRJ.js";import"./chunk-ATN7FPQY.js";import"./chunk-73BEISHS.js";import"./chunk-PHKIAKHS.js";export{a as builderFor,b as startRun};
