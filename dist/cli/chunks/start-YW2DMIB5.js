import{e as a,f as b}from"./chunk-7AIESW7V.js";import"./chunk-ETW3RXJN.js";import"./chunk-73VHDP4W.js";import"./chunk-LRYN5EEQ.js";import"./chunk-PHKIAKHS.js";export{a as builderFor,b as startRun};
