import{d as a,e as b}from"./chunk-WQ4SSGMD.js";import"./chunk-6GOHGQRJ.js";import"./chunk-2I7C3ZYD.js";import"./chunk-73BEISHS.js";import"./chunk-PHKIAKHS.js";export{a as builderFor,b as startRun};
