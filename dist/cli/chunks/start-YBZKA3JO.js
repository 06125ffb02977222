import{d as a,e as b}from"./chunk-BXRECI27.js";import"./chunk-N2CO5S7I.js";import"./chunk-IOLKD4PC.js";import"./chunk-ETN6OBTU.js";import"./chunk-PHKIAKHS.js";export{a as builderFor,b as startRun};
