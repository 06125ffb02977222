import{d as a,e as b}from"./chunk-Z2K3VXNQ.js";import"./chunk-6GOHGQRJ.js";import"./chunk-5JJUYMPF.js";import"./chunk-73BEISHS.js";import"./chunk-PHKIAKHS.js";export{a as builderFor,b as startRun};
