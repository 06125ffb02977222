import{a,b}from"./chunk-GTHUY4XK.js";import"./chunk-PHKIAKHS.js";export{a as exec,b as getExecOutput};
