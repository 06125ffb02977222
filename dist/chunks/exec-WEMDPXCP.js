import{a,b}from"./chunk-A5RTQMPU.js";import"./chunk-PHKIAKHS.js";export{a as exec,b as getExecOutput};
