import{d as a,e as b}from"./chunk-DCROENID.js";import"./chunk-FAWXNLSJ.js";import"./chunk-UF26ANPN.js";import"./chunk-EWXL6EDC.js";import"./chunk-PHKIAKHS.js";export{a as builderFor,b as startRun};
