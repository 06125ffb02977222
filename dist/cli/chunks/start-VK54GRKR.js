import{d as a,e as b}from"./chunk-22HXNPHH.js";import"./chunk-6GOHGQRJ.js";import"./chunk-PRF3KVFH.js";import"./chunk-73BEISHS.js";import"./chunk-PHKIAKHS.js";export{a as builderFor,b as startRun};
