import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);
import{d as a,e as b}from"./chunk-HLY7TBO2.js";import"./chunk-HXXZL4WT.js";import"./chunk-CTL3UP3R.js";import"./chunk-JNKQJT3E.js";import"./chunk-LIZWKVDM.js";import"./chunk-JOMRESUI.js";import"./chunk-32GIXTD4.js";import"./chunk-EEEC4TXW.js";export{a as builderFor,b as startRun};
