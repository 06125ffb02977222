import{d as a,e as b}from"./chunk-YCPJ2SYF.js";import"./chunk-6GOHGQRJ.js";import"./chunk-CIXWLJUP.js";import"./chunk-73BEISHS.js";import"./chunk-PHKIAKHS.js";export{a as builderFor,b as startRun};
