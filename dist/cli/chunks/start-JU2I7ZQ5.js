import{e as a,f as b}from"./chunk-FWH2B4KF.js";import"./chunk-FNEUDIH5.js";import"./chunk-FEN5WSBB.js";import"./chunk-VA53VLL4.js";import"./chunk-PHKIAKHS.js";export{a as builderFor,b as startRun};
