import{d as a,e as b}from"./chunk-7PSDLFLV.js";import"./chunk-6GOHGQRJ.js";import"./chunk-X3AIABEM.js";import"./chunk-73BEISHS.js";import"./chunk-PHKIAKHS.js";export{a as builderFor,b as startRun};
